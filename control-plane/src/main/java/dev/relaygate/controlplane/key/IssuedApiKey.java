package dev.relaygate.controlplane.key;

import java.time.Instant;
import java.util.UUID;

/** The answer to creating (or rotating) a key: the only time its {@code secret} is ever shown. */
public record IssuedApiKey(UUID id, UUID organizationId, String name, String displayPrefix, String secret,
        Instant createdAt, Instant expiresAt, Instant revokedAt, Instant previousSecretExpiresAt, KeyPolicy policy,
        long version) {

    public static IssuedApiKey of(ApiKey key, String secret) {
        return new IssuedApiKey(key.id(), key.organizationId(), key.name(), key.displayPrefix(), secret,
                key.createdAt(), key.expiresAt(), key.revokedAt(), key.previousSecretExpiresAt(), key.policy(),
                key.version());
    }

    @Override
    public String toString() {
        return "IssuedApiKey[id=" + id + ", displayPrefix=" + displayPrefix + "]";
    }
}
