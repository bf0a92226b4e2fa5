package dev.relaygate.gateway.auth;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A key as the control plane publishes it (docs/contracts/key-snapshot.json). Readers ignore fields they do
 * not know, so the control plane may add fields without breaking gateways.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record KeySnapshot(
        int schema,
        String keyId,
        KeyHash hash,
        String organizationId,
        String planId,
        String status,
        Instant expiresAt,
        long version,
        Policy policy) {

    public static final String ACTIVE = "active";

    public KeySnapshot {
        policy = policy == null || policy.equals(Policy.NONE) ? Policy.NONE : policy;
        // A gateway caches up to 100,000 snapshots: values that many keys share are kept once (docs/gateway-config.md,
        // "Memory and JVM flags").
        organizationId = organizationId == null ? null : organizationId.intern();
        planId = planId == null ? null : planId.intern();
        status = status == null ? null : status.intern();
    }

    /**
     * This snapshot holding {@code hash} as its hash: the cache passes the very object it keys the snapshot by, so
     * the hash is held once per key, not twice.
     */
    public KeySnapshot withHash(KeyHash hash) {
        return hash.equals(this.hash) ? new KeySnapshot(schema, keyId, hash, organizationId, planId, status, expiresAt,
                version, policy) : this;
    }

    /** Whether the key may be used at {@code now}: active and not past its expiry. */
    public boolean usableAt(Instant now) {
        return ACTIVE.equals(status) && (expiresAt == null || now.isBefore(expiresAt));
    }

    /**
     * The key's own restrictions; empty lists mean "no restriction". The three caps are null (or absent, for
     * snapshots written before they existed) when the key has none: a rate of its own, and compute units per UTC
     * day and per calendar month (docs/usage-and-quotas.md, "Per-key caps").
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Policy(
            List<String> allowedChains,
            List<String> allowedOrigins,
            List<String> allowedCidrs,
            List<String> allowedMethods,
            List<String> deniedMethods,
            boolean jwtRequired,
            List<Map<String, Object>> jwtPublicKeys,
            Long computeUnitsPerSecond,
            Long dailyComputeUnits,
            Long monthlyComputeUnits) {

        static final Policy NONE = new Policy(List.of(), List.of(), List.of(), List.of(), List.of(), false, List.of());

        /** A policy without caps. */
        public Policy(List<String> allowedChains, List<String> allowedOrigins, List<String> allowedCidrs,
                List<String> allowedMethods, List<String> deniedMethods, boolean jwtRequired,
                List<Map<String, Object>> jwtPublicKeys) {
            this(allowedChains, allowedOrigins, allowedCidrs, allowedMethods, deniedMethods, jwtRequired,
                    jwtPublicKeys, null, null, null);
        }

        /** Whether the key carries any cap of its own. */
        public boolean capped() {
            return computeUnitsPerSecond != null || dailyComputeUnits != null || monthlyComputeUnits != null;
        }

        public Policy {
            allowedChains = allowedChains == null ? List.of() : List.copyOf(allowedChains);
            allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
            allowedCidrs = allowedCidrs == null ? List.of() : List.copyOf(allowedCidrs);
            allowedMethods = allowedMethods == null ? List.of() : List.copyOf(allowedMethods);
            deniedMethods = deniedMethods == null ? List.of() : List.copyOf(deniedMethods);
            jwtPublicKeys = jwtPublicKeys == null ? List.of() : List.copyOf(jwtPublicKeys);
        }
    }
}
