package dev.relaygate.controlplane.key;

import java.time.Instant;

import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Body of {@code PATCH /v1/organizations/{orgId}/keys/{keyId}}: absent fields stay as they are.
 *
 * @param name        new label
 * @param expiresAt   new expiry (in the future)
 * @param removeExpiry true to make the key never expire
 * @param policy      the whole new policy (replaces the old one)
 */
public record UpdateApiKeyRequest(@Size(min = 1, max = 200) @Pattern(regexp = ".*\\S.*") String name,
        Instant expiresAt, Boolean removeExpiry, KeyPolicyRequest policy) {
}
