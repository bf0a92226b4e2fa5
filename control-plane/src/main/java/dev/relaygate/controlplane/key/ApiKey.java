package dev.relaygate.controlplane.key;

import java.time.Instant;
import java.time.LocalDate;
import java.util.UUID;

/** An API key as stored (never its secret), with the plan of its organization. */
public record ApiKey(UUID id, UUID organizationId, UUID planId, String name, String displayPrefix,
        String secretHash, String previousSecretHash, Instant previousSecretExpiresAt, String createdBy,
        Instant createdAt, Instant updatedAt, Instant expiresAt, Instant revokedAt, LocalDate lastUsedDay,
        KeyPolicy policy, long version) {

    public boolean revoked() {
        return revokedAt != null;
    }
}
