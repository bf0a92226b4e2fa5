package dev.relaygate.gateway.upstream;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.Connection;
import reactor.netty.NettyPipeline;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientRequest;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

import dev.relaygate.gateway.config.UpstreamProperties;
import dev.relaygate.gateway.io.BoundedBody;

/**
 * Sends a request body, already read whole, to an upstream node over pooled keep-alive
 * connections, and reads its answer. Sending a complete body with its Content-Length (rather than
 * streaming the client's body through) lets every connection go back to the pool after each call: measured
 * here, streaming bodies made the pool close and reopen connections under concurrency.
 * <p>
 * The answer is held to {@code maxResponseBytes} while it is read: a declared Content-Length above it is refused
 * before a byte of the body is read, and a chunked answer is refused at the first chunk that crosses it, so that
 * one huge answer (a {@code debug_traceBlock*} can be hundreds of MB) never sits whole in memory. A refused
 * answer's connection is closed, not returned to the pool.
 * <p>
 * <b>One pool per event loop.</b> A call made on one of the HTTP server's event loops (a relayed call is: the hot path
 * runs on the loop that read the request) goes to that loop's own pool, whose connections live on the same loop, so
 * sending the request, reading the answer and writing it back to the client never leave the thread. With one shared
 * pool, a call picked whichever idle connection came first and, when it lived on another loop, crossed threads twice
 * (a task to send, a task to write the answer back): a quarter of the CPU of a relayed call on 2 cores
 * (docs/performance.md). A call from any other thread (a health check, a hedge fired by a timer) uses a pool of its
 * own; {@code max-connections} is shared out between all these pools ({@link #share(int)}).
 */
public final class UpstreamClient implements AutoCloseable {

    private final UpstreamProperties properties;

    private final int maxResponseBytes;

    /** Calls made off the event loops. */
    private final Pool shared;

    /** The pool of each event loop that made a call; created at its first call. */
    private final Map<EventExecutor, Pool> loopPools = new ConcurrentHashMap<>();

    private final AtomicInteger loopCount = new AtomicInteger();

    private volatile boolean closed;

    /** The event loops that get a pool of their own: those that read requests (not Lettuce's, say). */
    private final EventLoopGroup callers;

    /** A client whose calls all use the pool for calls made off the event loops (tests, tools). */
    public UpstreamClient(UpstreamProperties properties) {
        this(properties, null);
    }

    /**
     * @param callers the event loops on which calls are made that should stay on their loop: the HTTP server's; a
     *     call on any other thread, or on another group's loop (Lettuce completes a key lookup on its own), uses the
     *     pool for calls made off the event loops. {@code null} for none.
     */
    public UpstreamClient(UpstreamProperties properties, EventLoopGroup callers) {
        this.properties = properties;
        this.callers = callers;
        this.maxResponseBytes = properties.maxResponseBytes();
        this.shared = new Pool("relaygate-upstream", share(properties.maxConnections()), null);
    }

    /** POSTs {@code body} as JSON to {@code upstream}; errors on connection failure, timeout or oversize answer. */
    public Mono<UpstreamResponse> post(URI upstream, byte[] body) {
        return post(upstream, body, null, null);
    }

    /**
     * As {@link #post(URI, byte[])}, with {@code responseTimeout} (when not {@code null}) in place of the configured
     * one: the longest wait for the answer, or between two of its reads, after the request was sent; fails with
     * {@code ReadTimeoutException}. Kept by the connection's {@link ResponseDeadline} on its event loop: cheaper than
     * a Reactor {@code timeout()}, which schedules on another thread and names itself with a regex on every
     * subscribe, and than Reactor Netty's per-request read-timeout handler.
     */
    public Mono<UpstreamResponse> post(URI upstream, byte[] body, Duration responseTimeout) {
        return post(upstream, body, responseTimeout, null);
    }

    /** As {@link #post(URI, byte[], Duration)}, with {@code headers} (trace context; {@code null} for none) added. */
    public Mono<UpstreamResponse> post(URI upstream, byte[] body, Duration responseTimeout, Map<String, String> headers) {
        return pool().sender(upstream)
            .send((request, out) -> {
                Duration timeout = responseTimeout != null ? responseTimeout : properties.responseTimeout();
                out.withConnection(connection -> armDeadline(connection, request, timeout));
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

    /**
     * Starts the connection's response timeout for the request being sent; on a connection without a
     * {@link ResponseDeadline} (none is placed when the codec is missing at its set-up), Reactor Netty's own.
     */
    private static void armDeadline(Connection connection, HttpClientRequest request, Duration timeout) {
        Channel channel = connection.channel();
        ResponseDeadline deadline = ResponseDeadline.of(channel);
        if (deadline == null) {
            request.responseTimeout(timeout);
        }
        else if (channel.eventLoop().inEventLoop()) {
            deadline.arm(timeout);
        }
        else {
            channel.eventLoop().execute(() -> deadline.arm(timeout));
        }
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

    /** The calling event loop's pool, or the shared one off the event loops. */
    private Pool pool() {
        EventExecutor current = ThreadExecutorMap.currentExecutor();
        if (!(current instanceof EventLoop loop) || loop.parent() != callers || closed) {
            return shared;
        }
        Pool pool = loopPools.get(loop);
        if (pool == null) {
            pool = loopPools.computeIfAbsent(loop, added -> new Pool("relaygate-upstream-" + loopCount.incrementAndGet(),
                    share(properties.maxConnections()), (EventLoop) added));
            if (closed) {
                // close() may have gone over the pools before this one was in the map.
                pool.connections.dispose();
            }
        }
        return pool;
    }

    /**
     * A pool's share of {@code max-connections}: one share for each of Reactor Netty's event loops and one for the
     * calls made off them, so that all pools together stay within it (give or take the rounding up).
     */
    static int share(int maxConnections) {
        int pools = Math.max(1, LoopResources.DEFAULT_IO_WORKER_COUNT) + 1;
        return Math.max(1, (maxConnections + pools - 1) / pools);
    }

    @Override
    public void close() {
        closed = true;
        shared.connections.dispose();
        loopPools.values().forEach(pool -> pool.connections.dispose());
    }

    /** Keep-alive connections, on one event loop or ({@code loop} null) on Reactor Netty's, and the client over them. */
    private final class Pool {

        final ConnectionProvider connections;

        final HttpClient http;

        /**
         * A POST to each upstream, configured once: every {@code HttpClient} step copies its whole configuration, and
         * {@code post().uri(…)} per call made two copies a relayed call did not need. Bounded by the upstreams.
         */
        final Map<URI, HttpClient.RequestSender> senders = new ConcurrentHashMap<>();

        Pool(String name, int maxConnections, EventLoop loop) {
            this.connections = ConnectionProvider.builder(name)
                .maxConnections(maxConnections)
                .pendingAcquireTimeout(properties.pendingAcquireTimeout())
                .maxIdleTime(properties.maxIdleTime())
                .build();
            HttpClient client = HttpClient.create(connections)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.connectTimeout().toMillis())
                .doOnChannelInit((observer, channel, remoteAddress) -> {
                    ChannelPipeline pipeline = channel.pipeline();
                    if (pipeline.get(NettyPipeline.HttpCodec) != null) {
                        pipeline.addAfter(NettyPipeline.HttpCodec, ResponseDeadline.NAME, new ResponseDeadline());
                    }
                })
                .keepAlive(true)
                .compress(false);
            this.http = loop == null ? client : client.runOn(loop);
        }

        HttpClient.RequestSender sender(URI upstream) {
            HttpClient.RequestSender sender = senders.get(upstream);
            return sender != null ? sender : senders.computeIfAbsent(upstream, uri -> http.post().uri(uri));
        }
    }

    /** The upstream could not give a usable answer. */
    public static final class UpstreamException extends RuntimeException {

        UpstreamException(String message) {
            super(message, null, false, false);
        }
    }
}
