package dev.relaygate.gateway.upstream;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.resources.ConnectionProvider;

import dev.relaygate.gateway.config.UpstreamProperties;
import dev.relaygate.gateway.io.BoundedBody;

/**
 * Sends a request body, already read whole, to an upstream node over one shared pool of keep-alive
 * connections, and reads its answer. Sending a complete body with its Content-Length (rather than
 * streaming the client's body through) lets every connection go back to the pool after each call: measured
 * here, streaming bodies made the pool close and reopen connections under concurrency.
 * <p>
 * The answer is held to {@code maxResponseBytes} while it is read: a declared Content-Length above it is refused
 * before a byte of the body is read, and a chunked answer is refused at the first chunk that crosses it, so that
 * one huge answer (a {@code debug_traceBlock*} can be hundreds of MB) never sits whole in memory. A refused
 * answer's connection is closed, not returned to the pool.
 */
public final class UpstreamClient implements AutoCloseable {

    private final ConnectionProvider pool;

    private final HttpClient http;

    private final int maxResponseBytes;

    /**
     * A POST to each upstream, configured once: every {@code HttpClient} step copies its whole configuration, and
     * {@code post().uri(…)} per call made two copies a relayed call did not need. Bounded by the configured upstreams.
     */
    private final Map<URI, HttpClient.RequestSender> senders = new ConcurrentHashMap<>();

    public UpstreamClient(UpstreamProperties properties) {
        this.pool = ConnectionProvider.builder("relaygate-upstream")
            .maxConnections(properties.maxConnections())
            .pendingAcquireTimeout(properties.pendingAcquireTimeout())
            .maxIdleTime(properties.maxIdleTime())
            .build();
        this.http = HttpClient.create(pool)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.connectTimeout().toMillis())
            .responseTimeout(properties.responseTimeout())
            .keepAlive(true)
            .compress(false);
        this.maxResponseBytes = properties.maxResponseBytes();
    }

    /** POSTs {@code body} as JSON to {@code upstream}; errors on connection failure, timeout or oversize answer. */
    public Mono<UpstreamResponse> post(URI upstream, byte[] body) {
        return post(upstream, body, null, null);
    }

    /**
     * As {@link #post(URI, byte[])}, with {@code responseTimeout} (when not {@code null}) in place of the client's:
     * the longest wait for the answer, or between two of its reads, after the request was sent (a Netty
     * read-timeout handler on the connection's event loop; fails with {@code ReadTimeoutException}). Cheaper than a
     * Reactor {@code timeout()}, which schedules on another thread and names itself with a regex on every subscribe.
     */
    public Mono<UpstreamResponse> post(URI upstream, byte[] body, Duration responseTimeout) {
        return post(upstream, body, responseTimeout, null);
    }

    /** As {@link #post(URI, byte[], Duration)}, with {@code headers} (trace context; {@code null} for none) added. */
    public Mono<UpstreamResponse> post(URI upstream, byte[] body, Duration responseTimeout, Map<String, String> headers) {
        HttpClient.RequestSender sender = senders.get(upstream);
        if (sender == null) {
            sender = senders.computeIfAbsent(upstream, uri -> http.post().uri(uri));
        }
        return sender
            .send((request, out) -> {
                if (responseTimeout != null) {
                    request.responseTimeout(responseTimeout);
                }
                request.header(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length));
                if (headers != null) {
                    headers.forEach(request::header);
                }
                return out.send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body)));
            })
            .response(this::read)
            .next();
    }

    private Mono<UpstreamResponse> read(HttpClientResponse response, ByteBufFlux content) {
        String contentType = response.responseHeaders().get(HttpHeaderNames.CONTENT_TYPE);
        int status = response.status().code();
        Duration retryAfter = retryAfter(response.responseHeaders().get(HttpHeaderNames.RETRY_AFTER));
        long declared = BoundedBody.contentLength(response.responseHeaders().get(HttpHeaderNames.CONTENT_LENGTH));
        return BoundedBody.read(content, declared, maxResponseBytes,
                () -> new UpstreamException("answer larger than " + maxResponseBytes + " bytes"))
            .map(bytes -> new UpstreamResponse(status, contentType, bytes, retryAfter));
    }

    /** Retry-After in seconds (the HTTP-date form is rare from JSON-RPC providers and read as absent). */
    private static Duration retryAfter(String header) {
        if (header == null) {
            return Duration.ZERO;
        }
        try {
            return Duration.ofSeconds(Math.clamp(Long.parseLong(header.trim()), 0, 3600));
        }
        catch (NumberFormatException notSeconds) {
            return Duration.ZERO;
        }
    }

    @Override
    public void close() {
        pool.dispose();
    }

    /** The upstream could not give a usable answer. */
    public static final class UpstreamException extends RuntimeException {

        UpstreamException(String message) {
            super(message, null, false, false);
        }
    }
}
