package dev.relaygate.controlplane.key;

import java.time.Instant;
import java.time.LocalDate;
import java.util.UUID;

/** A key as the API shows it after creation: masked, the secret is never shown again. */
public record ApiKeyView(UUID id, UUID organizationId, String name, String displayPrefix, String createdBy,
        Instant createdAt, Instant expiresAt, Instant revokedAt, LocalDate lastUsedDay,
        Instant previousSecretExpiresAt, KeyPolicy policy, long version) {

    public static ApiKeyView of(ApiKey key) {
        return new ApiKeyView(key.id(), key.organizationId(), key.name(), key.displayPrefix(), key.createdBy(),
                key.createdAt(), key.expiresAt(), key.revokedAt(), key.lastUsedDay(),
                key.previousSecretExpiresAt(), key.policy(), key.version());
    }
}
