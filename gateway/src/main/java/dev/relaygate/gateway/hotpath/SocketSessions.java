package dev.relaygate.gateway.hotpath;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;

import dev.relaygate.gateway.auth.KeyHash;
import dev.relaygate.gateway.auth.SnapshotChanges;
import dev.relaygate.gateway.jsonrpc.JsonRpcErrorCode;
import dev.relaygate.gateway.jsonrpc.JsonRpcId;
import dev.relaygate.gateway.observability.RequestTrace;
import dev.relaygate.gateway.upstream.SubscriptionHub;

/**
 * The open WebSockets of this gateway: decides upgrades (the key, its policy and the socket limits per key and per
 * organization, counted on this instance), pings and times out sockets, looks at a socket's key again when the control
 * plane announces a change (a revoked key's sockets close within the announcement's delay), and keeps the
 * {@code relaygate.websocket.*} metrics.
 */
final class SocketSessions implements SnapshotChanges, AutoCloseable {

    static final String SOCKETS_METRIC = "relaygate.websocket.sockets";

    static final String SUBSCRIPTIONS_METRIC = "relaygate.websocket.subscriptions";

    static final String MESSAGES_METRIC = "relaygate.websocket.messages";

    static final String CLOSES_METRIC = "relaygate.websocket.closes";

    private static final Logger log = LoggerFactory.getLogger(SocketSessions.class);

    private static final byte[] NO_BODY = new byte[0];

    private final HotPath hotPath;

    private final SubscriptionHub hub;

    private final WebSocketProperties limits;

    private final WebsocketServerSpec spec;

    private final Set<SocketSession> open = ConcurrentHashMap.newKeySet();

    private final Map<String, AtomicInteger> perKey = new ConcurrentHashMap<>();

    private final Map<String, AtomicInteger> perOrganization = new ConcurrentHashMap<>();

    private final Counter messagesIn;

    private final Counter messagesOut;

    private final Map<String, Counter> closes = new ConcurrentHashMap<>();

    private final Disposable ticker;

    SocketSessions(HotPath hotPath, SubscriptionHub hub, WebSocketProperties limits, MeterRegistry meters) {
        this.hotPath = hotPath;
        this.hub = hub;
        this.limits = limits;
        this.spec = WebsocketServerSpec.builder().maxFramePayloadLength(limits.maxMessageBytes()).build();
        Gauge.builder(SOCKETS_METRIC, open, Set::size).register(meters);
        for (String type : SubscriptionHub.TYPES) {
            Gauge.builder(SUBSCRIPTIONS_METRIC, this, sessions -> sessions.subscriptions(type)).tag("type", type)
                .register(meters);
        }
        this.messagesIn = meters.counter(MESSAGES_METRIC, "direction", "in");
        this.messagesOut = meters.counter(MESSAGES_METRIC, "direction", "out");
        for (CloseCodes.Close close : CloseCodes.ALL) {
            closes.put(close.tag(), meters.counter(CLOSES_METRIC, "reason", close.tag()));
        }
        this.ticker = Flux.interval(limits.pingInterval())
            .subscribe(tick -> {
                long now = System.nanoTime();
                open.forEach(session -> session.tick(now));
            });
    }

    /** Whether {@code headers} ask for a WebSocket: one header lookup, the only cost a POST pays. */
    static boolean isUpgrade(HttpHeaders headers) {
        String upgrade = headers.get(HttpHeaderNames.UPGRADE);
        return upgrade != null && upgrade.equalsIgnoreCase("websocket");
    }

    /** Upgrades to a WebSocket, or answers the refusal as the HTTP JSON-RPC error a POST would get. */
    Mono<Void> upgrade(HttpServerRequest request, HttpServerResponse response, String requestId) {
        RequestPath path = RequestPath.parse(request.uri());
        if (path == null) {
            return JsonRpcRoute.write(response, Answer.error(JsonRpcErrorCode.CHAIN_NOT_FOUND, JsonRpcId.NULL, null));
        }
        HttpHeaders in = request.requestHeaders();
        GatewayRequest upgrade = new GatewayRequest(requestId, path, NO_BODY, in.get(HeaderNames.API_KEY),
                in.get(HttpHeaderNames.AUTHORIZATION), in.get(HeaderNames.ORIGIN),
                JsonRpcRoute.address(request.remoteAddress()), in.get(HeaderNames.FORWARDED_FOR), RequestTrace.NONE,
                null);
        return hotPath.admitSocket(upgrade).publishOn(eventLoopOf(request)).flatMap(admission -> {
            if (admission.refusal() != null) {
                return JsonRpcRoute.write(response, admission.refusal());
            }
            SocketSession session = new SocketSession(requestId, upgrade, admission.chain(), admission.key(), hotPath,
                    hub, this, limits);
            Answer tooMany = open(session);
            if (tooMany != null) {
                return JsonRpcRoute.write(response, tooMany);
            }
            // The socket is counted out when it ends (SocketSession#run), or here when the handshake fails.
            return response.sendWebsocket(session::run, spec)
                .doOnError(failure -> ended(session));
        });
    }

    /**
     * The connection's event loop, on which the handshake must start. Reactor Netty binds the socket's inbound to the
     * connection in a listener of the handshake's write: started on another thread (an admission that waited for
     * Redis completes on Redis's), that listener can be added after the 101 was written and then runs as a later task
     * of the event loop, which may first read the client's first frame and hand it to the finished HTTP exchange,
     * which drops it. On the event loop, the write, its listener and the binding happen in one go, before any read.
     */
    private static Scheduler eventLoopOf(HttpServerRequest request) {
        AtomicReference<Executor> loop = new AtomicReference<>();
        request.withConnection(connection -> loop.set(connection.channel().eventLoop()));
        return loop.get() == null ? Schedulers.immediate() : Schedulers.fromExecutor(loop.get());
    }

    /** Counts the socket in, or answers why it may not open. */
    private Answer open(SocketSession session) {
        String keyId = session.key().key().keyId();
        String organizationId = session.key().key().organizationId();
        AtomicInteger ofKey = perKey.computeIfAbsent(keyId, id -> new AtomicInteger());
        if (ofKey.incrementAndGet() > limits.maxSocketsPerKey()) {
            release(perKey, keyId, ofKey);
            return Answer.error(JsonRpcErrorCode.TOO_MANY_SOCKETS, JsonRpcId.NULL,
                    "at most " + limits.maxSocketsPerKey() + " per key");
        }
        AtomicInteger ofOrganization = perOrganization.computeIfAbsent(organizationId, id -> new AtomicInteger());
        if (ofOrganization.incrementAndGet() > limits.maxSocketsPerOrganization()) {
            release(perOrganization, organizationId, ofOrganization);
            release(perKey, keyId, ofKey);
            return Answer.error(JsonRpcErrorCode.TOO_MANY_SOCKETS, JsonRpcId.NULL,
                    "at most " + limits.maxSocketsPerOrganization() + " per organization");
        }
        open.add(session);
        return null;
    }

    /** The socket has ended; counted out once, whichever way it ended. */
    void ended(SocketSession session) {
        if (!open.remove(session)) {
            return;
        }
        String keyId = session.key().key().keyId();
        String organizationId = session.key().key().organizationId();
        release(perKey, keyId, perKey.get(keyId));
        release(perOrganization, organizationId, perOrganization.get(organizationId));
    }

    private static void release(Map<String, AtomicInteger> counts, String id, AtomicInteger count) {
        if (count != null && count.decrementAndGet() <= 0) {
            counts.remove(id, count);
        }
    }

    void messageIn() {
        messagesIn.increment();
    }

    void messageOut() {
        messagesOut.increment();
    }

    void closing(CloseCodes.Close close) {
        closes.get(close.tag()).increment();
        if (close == CloseCodes.SLOW_CONSUMER) {
            log.info("Closed a WebSocket of a slow consumer ({} bytes queued)", limits.maxBufferedBytes());
        }
    }

    private int subscriptions(String type) {
        int count = 0;
        for (SocketSession session : open) {
            count += session.subscriptions(type);
        }
        return count;
    }

    @Override
    public void keyChanged(KeyHash hash) {
        for (SocketSession session : open) {
            if (hash.equals(session.key().key().hash())) {
                session.recheck();
            }
        }
    }

    @Override
    public void planChanged(String planId) {
        for (SocketSession session : open) {
            if (planId.equals(session.key().plan().planId())) {
                session.recheck();
            }
        }
    }

    @Override
    public void allChanged() {
        // The caches are cleared on another thread (SnapshotCache#invalidateAll): look again once that is done.
        Mono.delay(Duration.ofSeconds(1)).subscribe(tick -> open.forEach(SocketSession::recheck));
    }

    /** Closes every socket with 1001 (the gateway is shutting down). */
    @Override
    public void close() {
        ticker.dispose();
        open.forEach(session -> session.close(CloseCodes.GOING_AWAY));
    }
}
