package dev.relaygate.controlplane.idempotency;

import dev.relaygate.controlplane.web.ApiException;

/**
 * A create request that carried an {@code Idempotency-Key}: who sent it ({@code scope} includes the subject and
 * the operation, so keys of different users or endpoints never collide), the key, and the request body.
 */
public record IdempotencyKey(String scope, String key, Object request) {

    public static final String HEADER = "Idempotency-Key";

    /** Null when the header is absent, so callers can pass it straight to {@link Idempotency#guard}. */
    public static IdempotencyKey of(String subject, String operation, String header, Object request) {
        if (header == null) {
            return null;
        }
        if (header.isBlank() || header.length() > 255 || !header.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw ApiException.badRequest("Idempotency-Key must be 1 to 255 visible ASCII characters");
        }
        return new IdempotencyKey(subject + " " + operation, header, request);
    }

    @Override
    public String toString() {
        return "IdempotencyKey[scope=" + scope + "]";
    }
}
