package dev.relaygate.gateway.hotpath;

import java.net.InetAddress;
import java.util.concurrent.Executor;

import dev.relaygate.gateway.observability.RequestTrace;

/**
 * One JSON-RPC request as the hot path's steps see it, read off the wire once: nothing of Netty, nothing mutable
 * (the body array is never written to).
 *
 * @param requestId the request's id ({@code X-Request-Id}, the caller's when well formed)
 * @param path the chain and the key in the path
 * @param body the body exactly as received
 * @param apiKeyHeader {@code X-Api-Key}, or {@code null}
 * @param authorization {@code Authorization}, or {@code null}
 * @param origin {@code Origin}, or {@code null}
 * @param peer the TCP peer's address, or {@code null}
 * @param forwardedFor {@code X-Forwarded-For}, or {@code null}
 * @param trace what the request leaves for operators (spans, access log); {@link RequestTrace#NONE} mostly
 * @param loop the event loop that read the request, on which a step answered on another thread (a Redis reply, on
 *     Lettuce's) is continued; {@code null} to continue wherever the answer came
 */
record GatewayRequest(String requestId, RequestPath path, byte[] body, String apiKeyHeader, String authorization,
        String origin, InetAddress peer, String forwardedFor, RequestTrace trace, Executor loop) {

    private static final String BEARER = "Bearer ";

    /** The caller's key: in the path, else in {@code X-Api-Key}, else as {@code Authorization: Bearer rgk_…}. */
    String presentedKey() {
        if (path.apiKey() != null) {
            return path.apiKey();
        }
        if (apiKeyHeader != null) {
            return apiKeyHeader.trim();
        }
        return bearer();
    }

    /** The bearer token of {@code Authorization}, or {@code null}. */
    String bearer() {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        return authorization.substring(BEARER.length()).trim();
    }

    /** Never prints the key or the body. */
    @Override
    public String toString() {
        return "GatewayRequest[" + requestId + " " + path + "]";
    }
}
