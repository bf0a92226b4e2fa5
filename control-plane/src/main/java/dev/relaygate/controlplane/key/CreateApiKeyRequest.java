package dev.relaygate.controlplane.key;

import java.time.Instant;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * Body of {@code POST /v1/organizations/{orgId}/keys}.
 *
 * @param name      a label for people
 * @param expiresAt optional moment after which gateways refuse the key
 * @param policy    optional restrictions; none when absent
 */
public record CreateApiKeyRequest(@NotBlank @Size(max = 200) String name, Instant expiresAt,
        KeyPolicyRequest policy) {
}
