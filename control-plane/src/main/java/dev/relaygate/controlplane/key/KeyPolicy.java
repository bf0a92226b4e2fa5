package dev.relaygate.controlplane.key;

import java.util.List;
import java.util.Map;

/**
 * What a key may be used for, as published in the snapshot's {@code policy} (contracts/key-snapshot.json).
 * Empty lists mean "no restriction"; {@code jwtPublicKeys} are public JWKs. The caps (a rate of the key's own,
 * compute units per UTC day and per calendar month) are null when the key has none (docs/usage-and-quotas.md).
 */
public record KeyPolicy(List<String> allowedChains, List<String> allowedOrigins, List<String> allowedCidrs,
        List<String> allowedMethods, List<String> deniedMethods, boolean jwtRequired,
        List<Map<String, Object>> jwtPublicKeys, Long computeUnitsPerSecond, Long dailyComputeUnits,
        Long monthlyComputeUnits) {

    public static final KeyPolicy OPEN = new KeyPolicy(List.of(), List.of(), List.of(), List.of(), List.of(), false,
            List.of());

    /** A policy without caps. */
    public KeyPolicy(List<String> allowedChains, List<String> allowedOrigins, List<String> allowedCidrs,
            List<String> allowedMethods, List<String> deniedMethods, boolean jwtRequired,
            List<Map<String, Object>> jwtPublicKeys) {
        this(allowedChains, allowedOrigins, allowedCidrs, allowedMethods, deniedMethods, jwtRequired, jwtPublicKeys,
                null, null, null);
    }

    /** Whether the key carries a daily or monthly cap (the quota status lists these keys). */
    public boolean capped() {
        return dailyComputeUnits != null || monthlyComputeUnits != null;
    }

    public KeyPolicy {
        allowedChains = List.copyOf(allowedChains);
        allowedOrigins = List.copyOf(allowedOrigins);
        allowedCidrs = List.copyOf(allowedCidrs);
        allowedMethods = List.copyOf(allowedMethods);
        deniedMethods = List.copyOf(deniedMethods);
        jwtPublicKeys = List.copyOf(jwtPublicKeys);
    }
}
