package dev.relaygate.controlplane.key;

import java.util.List;
import java.util.Map;

/**
 * What a key may be used for, as published in the snapshot's {@code policy} (contracts/key-snapshot.json).
 * Empty lists mean "no restriction"; {@code jwtPublicKeys} are public JWKs.
 */
public record KeyPolicy(List<String> allowedChains, List<String> allowedOrigins, List<String> allowedCidrs,
        List<String> allowedMethods, List<String> deniedMethods, boolean jwtRequired,
        List<Map<String, Object>> jwtPublicKeys) {

    public static final KeyPolicy OPEN = new KeyPolicy(List.of(), List.of(), List.of(), List.of(), List.of(), false,
            List.of());

    public KeyPolicy {
        allowedChains = List.copyOf(allowedChains);
        allowedOrigins = List.copyOf(allowedOrigins);
        allowedCidrs = List.copyOf(allowedCidrs);
        allowedMethods = List.copyOf(allowedMethods);
        deniedMethods = List.copyOf(deniedMethods);
        jwtPublicKeys = List.copyOf(jwtPublicKeys);
    }
}
