package dev.relaygate.controlplane.key;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A key policy as a client sends it. Absent lists mean "no restriction"; each {@code jwtPublicKeys} entry is a
 * public JWK (JSON object) or a PEM-encoded public key (string), stored and published as a public JWK. Absent caps
 * mean "no cap of the key's own" (the organization's plan still applies).
 */
public record KeyPolicyRequest(List<String> allowedChains, List<String> allowedOrigins, List<String> allowedCidrs,
        List<String> allowedMethods, List<String> deniedMethods, Boolean jwtRequired, List<Object> jwtPublicKeys,
        @Schema(description = "The key's own sustained rate in compute units per second (its bucket holds one second "
                + "of it); absent: only the plan's rate applies", minimum = "1")
        Long computeUnitsPerSecond,
        @Schema(description = "Compute units the key may spend per UTC day; absent: no daily cap", minimum = "1")
        Long dailyComputeUnits,
        @Schema(description = "Compute units the key may spend per calendar month (UTC); absent: no monthly cap",
                minimum = "1")
        Long monthlyComputeUnits) {

    /** A policy request without caps. */
    public KeyPolicyRequest(List<String> allowedChains, List<String> allowedOrigins, List<String> allowedCidrs,
            List<String> allowedMethods, List<String> deniedMethods, Boolean jwtRequired, List<Object> jwtPublicKeys) {
        this(allowedChains, allowedOrigins, allowedCidrs, allowedMethods, deniedMethods, jwtRequired, jwtPublicKeys,
                null, null, null);
    }
}
