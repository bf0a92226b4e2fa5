package dev.relaygate.controlplane.key;

import jakarta.validation.constraints.PositiveOrZero;

/**
 * Body of {@code POST /v1/organizations/{orgId}/keys/{keyId}/rotate} (optional).
 *
 * @param gracePeriodSeconds how long the old secret keeps working; {@code relaygate.keys.rotation-grace} if absent
 */
public record RotateApiKeyRequest(@PositiveOrZero Long gracePeriodSeconds) {
}
