package dev.relaygate.controlplane.key;

import java.util.List;

/**
 * A key policy as a client sends it. Absent lists mean "no restriction"; each {@code jwtPublicKeys} entry is a
 * public JWK (JSON object) or a PEM-encoded public key (string), stored and published as a public JWK.
 */
public record KeyPolicyRequest(List<String> allowedChains, List<String> allowedOrigins, List<String> allowedCidrs,
        List<String> allowedMethods, List<String> deniedMethods, Boolean jwtRequired, List<Object> jwtPublicKeys) {
}
