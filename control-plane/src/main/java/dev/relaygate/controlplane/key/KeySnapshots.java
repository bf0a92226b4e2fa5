package dev.relaygate.controlplane.key;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.springframework.stereotype.Component;

import dev.relaygate.controlplane.propagation.PendingSnapshot;
import dev.relaygate.controlplane.propagation.RedisNames;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds the key snapshots of a key: one for its current secret and, during a rotation grace period, one for
 * the previous secret whose {@code expiresAt} is the end of the grace (rule 5 of the propagation contract).
 */
@Component
public final class KeySnapshots {

    private final JsonMapper json;

    public KeySnapshots(JsonMapper json) {
        this.json = json;
    }

    /** Every snapshot the key currently has. */
    public List<PendingSnapshot> of(ApiKey key) {
        List<PendingSnapshot> snapshots = new ArrayList<>(2);
        snapshots.add(forHash(key, key.secretHash()));
        if (key.previousSecretHash() != null) {
            snapshots.add(forHash(key, key.previousSecretHash()));
        }
        return snapshots;
    }

    /** The snapshot addressed by one of the key's hashes (current or previous). */
    public PendingSnapshot forHash(ApiKey key, String hash) {
        Instant expiresAt = key.expiresAt();
        if (hash.equals(key.previousSecretHash())) {
            expiresAt = earlier(expiresAt, key.previousSecretExpiresAt());
        }
        KeySnapshot snapshot = new KeySnapshot(1, key.id().toString(), hash, key.organizationId().toString(),
                key.planId().toString(), key.revoked() ? KeySnapshot.REVOKED : KeySnapshot.ACTIVE,
                expiresAt == null ? null : expiresAt.toString(), key.version(), key.policy());
        return new PendingSnapshot(RedisNames.keySnapshot(hash), PendingSnapshot.KEY, hash, key.version(),
                json.writeValueAsString(snapshot));
    }

    /**
     * A revoked snapshot for a hash the key no longer has (a previous secret retired early or after its grace), so
     * gateways refuse it from Redis instead of asking the control plane.
     */
    public PendingSnapshot retired(ApiKey key, String hash) {
        KeySnapshot snapshot = new KeySnapshot(1, key.id().toString(), hash, key.organizationId().toString(),
                key.planId().toString(), KeySnapshot.REVOKED, null, key.version(), key.policy());
        return new PendingSnapshot(RedisNames.keySnapshot(hash), PendingSnapshot.KEY, hash, key.version(),
                json.writeValueAsString(snapshot));
    }

    private static Instant earlier(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isBefore(b) ? a : b;
    }
}
