package dev.relaygate.gateway.upstream;

import java.time.Duration;

/**
 * An upstream node's answer, whole.
 *
 * @param status HTTP status
 * @param contentType the Content-Type header, or {@code null}
 * @param body the bytes, unchanged
 * @param retryAfter the Retry-After of a 429 or 503 in seconds, or {@link Duration#ZERO}
 */
public record UpstreamResponse(int status, String contentType, byte[] body, Duration retryAfter) {

    public UpstreamResponse(int status, String contentType, byte[] body) {
        this(status, contentType, body, Duration.ZERO);
    }
}
