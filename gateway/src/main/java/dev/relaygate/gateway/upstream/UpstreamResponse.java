package dev.relaygate.gateway.upstream;

/**
 * An upstream node's answer, whole.
 *
 * @param status HTTP status
 * @param contentType the Content-Type header, or {@code null}
 * @param body the bytes, unchanged
 */
public record UpstreamResponse(int status, String contentType, byte[] body) {
}
