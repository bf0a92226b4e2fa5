package dev.relaygate.gateway.hotpath;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.NettyPipeline;
import reactor.core.publisher.Sinks;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;
import reactor.util.concurrent.Queues;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.relaygate.gateway.auth.ResolvedKey;
import dev.relaygate.gateway.io.ConnectionTimeouts;
import dev.relaygate.gateway.jsonrpc.JsonRpcAnswers;
import dev.relaygate.gateway.jsonrpc.JsonRpcCall;
import dev.relaygate.gateway.jsonrpc.JsonRpcErrorCode;
import dev.relaygate.gateway.jsonrpc.JsonRpcErrors;
import dev.relaygate.gateway.jsonrpc.JsonRpcReader;
import dev.relaygate.gateway.observability.RequestTrace;
import dev.relaygate.gateway.routing.ChainCatalogue;
import dev.relaygate.gateway.upstream.SubscriptionHub;

/**
 * One client's WebSocket: each message goes through {@link HotPath#handleMessage} with the key the socket was admitted
 * with; {@code eth_subscribe} and {@code eth_unsubscribe} are answered here (after the same checks and limiter), on
 * the {@link SubscriptionHub}. Everything sent to the client goes through one bounded queue: a client that does not
 * read is closed with {@link CloseCodes#SLOW_CONSUMER} rather than buffered without end. Never logs messages or the key.
 */
final class SocketSession implements HotPath.LocalCalls {

    private static final Logger log = LoggerFactory.getLogger(SocketSession.class);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String SUBSCRIBE = "eth_subscribe";

    private static final String UNSUBSCRIBE = "eth_unsubscribe";

    /** Notifications a new subscription holds back until its id has been sent; then it closes as a slow consumer. */
    private static final int MAX_HELD = 1024;

    private final String id;

    private final GatewayRequest upgrade;

    private final ChainCatalogue.Chain chain;

    private final HotPath hotPath;

    private final SubscriptionHub hub;

    private final SocketSessions sessions;

    private final WebSocketProperties limits;

    private volatile ResolvedKey key;

    private final Sinks.Many<WebSocketFrame> outgoing = Sinks.many().unicast()
        .onBackpressureBuffer(Queues.<WebSocketFrame>unbounded(256).get());

    private final AtomicLong buffered = new AtomicLong();

    private final AtomicLong messages = new AtomicLong();

    private final Map<String, ClientSubscription> subscriptions = new ConcurrentHashMap<>();

    /** Subscriptions whose answer is not sent yet, by the id of the message that asked for them. */
    private final Map<String, ClientSubscription> held = new ConcurrentHashMap<>();

    private volatile long lastSeenNanos = System.nanoTime();

    private volatile WebsocketOutbound out;

    /** The connection's channel, to count what Netty holds for it too. */
    private volatile Channel channel;

    /** Set once: why the socket closes. */
    private CloseCodes.Close closing;

    SocketSession(String id, GatewayRequest upgrade, ChainCatalogue.Chain chain, ResolvedKey key, HotPath hotPath,
            SubscriptionHub hub, SocketSessions sessions, WebSocketProperties limits) {
        this.id = id;
        this.upgrade = upgrade;
        this.chain = chain;
        this.key = key;
        this.hotPath = hotPath;
        this.hub = hub;
        this.sessions = sessions;
        this.limits = limits;
    }

    ResolvedKey key() {
        return key;
    }

    GatewayRequest upgrade() {
        return upgrade;
    }

    /** Runs the socket until either side closes it. */
    Mono<Void> run(WebsocketInbound in, WebsocketOutbound out) {
        this.out = out;
        out.withConnection(connection -> channel = connection.channel());
        in.withConnection(connection -> {
            ChannelPipeline pipeline = connection.channel().pipeline();
            // The HTTP server's read and idle timeouts were for the upgrade request: left in place, the read timeout
            // (relaygate.server.read-timeout, 10 s) closed every socket quieter than that, pings being every 30 s.
            // A socket has its own: idle-timeout, measured from pongs and messages.
            for (String timeout : List.of(ConnectionTimeouts.NAME, NettyPipeline.ReadTimeoutHandler,
                    NettyPipeline.IdleTimeoutHandler)) {
                if (pipeline.get(timeout) != null) {
                    pipeline.remove(timeout);
                }
            }
            // A single frame above the limit is refused by Netty's decoder, which closes with 1009 itself.
            OversizedFrameHandler.install(pipeline, () -> close(CloseCodes.TOO_BIG));
        });
        MessageAssembler assembler = new MessageAssembler(limits.maxMessageBytes());
        in.receiveFrames()
            .doOnNext(frame -> lastSeenNanos = System.nanoTime())
            .<byte[]>handle((frame, messages) -> {
                if (closing() != null) {
                    return;
                }
                switch (assembler.add(frame)) {
                    case MessageAssembler.Message message -> messages.next(message.body());
                    case MessageAssembler.TooBig tooBig -> close(CloseCodes.TOO_BIG);
                    case MessageAssembler.Partial partial -> { }
                }
            })
            .flatMap(this::onMessage, limits.maxInFlight())
            .subscribe(null, failure -> close(CloseCodes.GOING_AWAY), () -> close(CloseCodes.NORMAL));
        return out.sendObject(outgoing.asFlux().doOnNext(frame -> buffered.addAndGet(-frame.content().readableBytes())))
            .then()
            .then(Mono.defer(() -> {
                CloseCodes.Close close = closing();
                return close == null ? Mono.<Void>empty() : out.sendClose(close.code(), close.reason());
            }))
            .onErrorResume(failure -> Mono.empty())
            .doFinally(signal -> ended());
    }

    private Mono<Void> onMessage(byte[] body) {
        sessions.messageIn();
        String messageId = id + "." + messages.incrementAndGet();
        GatewayRequest message = new GatewayRequest(messageId, upgrade.path(), body, upgrade.apiKeyHeader(),
                upgrade.authorization(), upgrade.origin(), upgrade.peer(), upgrade.forwardedFor(), RequestTrace.NONE,
                null);
        return hotPath.handleMessage(message, chain, key, this)
            .onErrorResume(failure -> {
                log.error("Socket {}: message {} failed", id, messageId, failure);
                return Mono.just(Answer.error(JsonRpcErrorCode.INTERNAL_ERROR,
                        dev.relaygate.gateway.jsonrpc.JsonRpcId.NULL, null));
            })
            .doOnNext(answer -> {
                if (answer.body().length > 0) {
                    send(answer.body());
                }
                ClientSubscription subscribed = held.remove(messageId);
                if (subscribed != null) {
                    subscribed.release();
                }
                // The key's JWT expired, or the key's policy no longer admits this caller.
                if (answer.status() == JsonRpcErrorCode.UNAUTHORIZED.status()) {
                    close(CloseCodes.REVOKED);
                }
                else if (answer.status() == JsonRpcErrorCode.FORBIDDEN.status()) {
                    close(CloseCodes.FORBIDDEN);
                }
            })
            .doFinally(signal -> {
                ClientSubscription orphan = held.remove(messageId);
                if (orphan != null) {
                    orphan.release();
                }
            })
            .then();
    }

    @Override
    public boolean serves(String method) {
        return SUBSCRIBE.equals(method) || UNSUBSCRIBE.equals(method);
    }

    @Override
    public Mono<byte[]> answer(GatewayRequest message, ChainCatalogue.Chain chain, ResolvedKey key, JsonRpcCall call) {
        JsonNode params;
        try {
            byte[] raw = JsonRpcReader.paramsOf(message.body(), call);
            params = raw == null ? null : JSON.readTree(raw);
        }
        catch (JacksonException unreadable) {
            params = null;
        }
        if (params == null || !params.isArray() || params.isEmpty() || !params.get(0).isString()) {
            return Mono.just(JsonRpcErrors.error(JsonRpcErrorCode.INVALID_PARAMS, call.id(),
                    SUBSCRIBE.equals(call.method()) ? "params must be [type] or [\"logs\", filter]"
                            : "params must be [subscriptionId]"));
        }
        String first = params.get(0).asString();
        if (UNSUBSCRIBE.equals(call.method())) {
            ClientSubscription removed = subscriptions.remove(first);
            if (removed != null) {
                removed.cancel();
            }
            return Mono.just(JsonRpcAnswers.result(call.id(), removed != null ? TRUE : FALSE));
        }
        if (!SubscriptionHub.TYPES.contains(first)) {
            return Mono.just(JsonRpcErrors.error(JsonRpcErrorCode.INVALID_PARAMS, call.id(),
                    "unsupported subscription type; one of " + String.join(", ", SubscriptionHub.TYPES)));
        }
        if (subscriptions.size() + held.size() >= limits.maxSubscriptionsPerSocket()) {
            return Mono.just(JsonRpcErrors.error(JsonRpcErrorCode.LIMIT_EXCEEDED, call.id(),
                    "at most " + limits.maxSubscriptionsPerSocket() + " subscriptions per socket"));
        }
        byte[] filter = null;
        if (params.size() > 1) {
            if (!"logs".equals(first) || !params.get(1).isObject()) {
                return Mono.just(JsonRpcErrors.error(JsonRpcErrorCode.INVALID_PARAMS, call.id(),
                        "only logs takes a filter object"));
            }
            filter = JSON.writeValueAsBytes(params.get(1));
        }
        ClientSubscription subscription = new ClientSubscription(newSubscriptionId(), first);
        held.put(message.requestId(), subscription);
        return hub.subscribe(chain.id(), first, filter, subscription)
            .map(upstream -> {
                subscription.upstream = upstream;
                if (subscription.cancelled.get()) {
                    upstream.cancel();
                    return JsonRpcErrors.error(JsonRpcErrorCode.UPSTREAM_UNAVAILABLE, call.id(), "socket closing");
                }
                subscriptions.put(subscription.id, subscription);
                if (closing() != null) {
                    // The socket closed while the upstream confirmed.
                    subscriptions.remove(subscription.id);
                    subscription.cancel();
                }
                return JsonRpcAnswers.result(call.id(), ("\"" + subscription.id + "\"").getBytes(StandardCharsets.US_ASCII));
            })
            .onErrorResume(SubscriptionHub.Refused.class,
                    refused -> Mono.just(JsonRpcErrors.withError(call.id(), refused.error())))
            .onErrorResume(failure -> Mono.just(JsonRpcErrors.error(JsonRpcErrorCode.UPSTREAM_UNAVAILABLE, call.id(),
                    "no upstream confirmed the subscription")));
    }

    /** Pings the client; closes a socket silent for longer than the idle timeout, or whose key has expired. */
    void tick(long nowNanos) {
        if (nowNanos - lastSeenNanos > limits.idleTimeout().toNanos()) {
            close(CloseCodes.IDLE);
            return;
        }
        if (!key.key().usableAt(Instant.now())) {
            close(CloseCodes.REVOKED);
            return;
        }
        emit(new PingWebSocketFrame(), 0);
    }

    /** The key or its plan changed: looks at them again, and closes the socket when they no longer admit it. */
    void recheck() {
        hotPath.admitSocket(upgrade).subscribe(admission -> {
            if (admission.refusal() == null) {
                key = admission.key();
                return;
            }
            int status = admission.refusal().status();
            if (status == JsonRpcErrorCode.UNAUTHORIZED.status()) {
                close(CloseCodes.REVOKED);
            }
            else if (status == JsonRpcErrorCode.FORBIDDEN.status()) {
                close(CloseCodes.FORBIDDEN);
            }
            // Keys cannot be checked right now (Redis and control plane away): the socket stays, as cached keys do.
        }, failure -> log.warn("Socket {}: key re-check failed: {}", id, failure.toString()));
    }

    /** Queues a message for the client; closes the socket as a slow consumer when the queue is full. */
    private boolean send(byte[] message) {
        boolean sent = emit(new TextWebSocketFrame(Unpooled.wrappedBuffer(message)), message.length);
        if (sent) {
            sessions.messageOut();
        }
        return sent;
    }

    /**
     * Emits under the session's lock (the queue takes one emitter at a time); never takes another lock while holding
     * it, so subscriptions may send while holding their own.
     */
    private boolean emit(WebSocketFrame frame, int bytes) {
        synchronized (this) {
            if (closing != null) {
                return false;
            }
            if (buffered.get() + nettyPending() + bytes <= limits.maxBufferedBytes()) {
                buffered.addAndGet(bytes);
                return outgoing.tryEmitNext(frame).isSuccess();
            }
        }
        closeNow(CloseCodes.SLOW_CONSUMER);
        return false;
    }

    /**
     * Bytes written to the connection but not yet to the socket: Reactor Netty hands frames on while the channel is
     * writable, so a client that stops reading leaves up to the high-water mark and more in Netty's outbound buffer.
     * Counted with the session's own queue, so that {@code max-buffered-bytes} bounds all the socket holds.
     */
    private long nettyPending() {
        Channel open = channel;
        ChannelOutboundBuffer outbound = open == null ? null : open.unsafe().outboundBuffer();
        return outbound == null ? 0 : outbound.totalPendingWriteBytes();
    }

    private synchronized CloseCodes.Close closing() {
        return closing;
    }

    /** Closes after what is queued has been sent. */
    void close(CloseCodes.Close close) {
        synchronized (this) {
            if (closing != null) {
                return;
            }
            closing = close;
            outgoing.tryEmitComplete();
        }
        sessions.closing(close);
        cancelSubscriptions();
    }

    /** Closes at once, dropping what is queued: the client does not read it. */
    private void closeNow(CloseCodes.Close close) {
        synchronized (this) {
            if (closing != null) {
                return;
            }
            closing = close;
            outgoing.tryEmitError(new IllegalStateException("slow consumer"));
        }
        sessions.closing(close);
        cancelSubscriptions();
        WebsocketOutbound open = out;
        if (open != null) {
            // The close frame goes out ahead of the queue; the connection goes whether or not the client reads it.
            open.sendClose(close.code(), close.reason()).subscribe(null, failure -> { });
            Mono.delay(java.time.Duration.ofSeconds(1)).subscribe(tick -> open.withConnection(connection ->
                    connection.dispose()));
        }
    }

    /** The number of this socket's subscriptions of {@code type} (for the gauge). */
    int subscriptions(String type) {
        int count = 0;
        for (ClientSubscription subscription : subscriptions.values()) {
            if (subscription.type.equals(type)) {
                count++;
            }
        }
        return count;
    }

    private void cancelSubscriptions() {
        for (ClientSubscription subscription : List.copyOf(subscriptions.values())) {
            subscriptions.remove(subscription.id);
            subscription.cancel();
        }
    }

    private void ended() {
        boolean unannounced;
        synchronized (this) {
            // The client went without a close frame, or the connection broke.
            unannounced = closing == null;
            if (unannounced) {
                closing = CloseCodes.NORMAL;
            }
        }
        if (unannounced) {
            sessions.closing(CloseCodes.NORMAL);
        }
        cancelSubscriptions();
        sessions.ended(this);
    }

    private static String newSubscriptionId() {
        byte[] random = new byte[16];
        ThreadLocalRandom.current().nextBytes(random);
        return "0x" + HexFormat.of().formatHex(random);
    }

    private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] FALSE = "false".getBytes(StandardCharsets.US_ASCII);

    /** A message held back until its subscription's id has been sent; gap reports are not metered. */
    private record Held(byte[] bytes, boolean metered) {
    }

    /** A client's subscription: its gateway id, and its notifications held back until the id is sent. */
    private final class ClientSubscription implements SubscriptionHub.Listener {

        final String id;

        final String type;

        final byte[] prefix;

        volatile SubscriptionHub.Subscription upstream;

        final java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();

        /** Notifications before the subscription's id was sent; {@code null} once it was. Guarded by this. */
        private ArrayDeque<Held> early = new ArrayDeque<>();

        ClientSubscription(String id, String type) {
            this.id = id;
            this.type = type;
            this.prefix = ("{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":\"" + id
                    + "\",\"result\":").getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public void onResult(byte[] result) {
            byte[] notification = new byte[prefix.length + result.length + 2];
            System.arraycopy(prefix, 0, notification, 0, prefix.length);
            System.arraycopy(result, 0, notification, prefix.length, result.length);
            notification[notification.length - 2] = '}';
            notification[notification.length - 1] = '}';
            deliver(notification, true);
        }

        @Override
        public void onGap(long from, long to) {
            deliver(("{\"jsonrpc\":\"2.0\",\"method\":\"relaygate_subscriptionGap\",\"params\":{\"subscription\":\"" + id
                    + "\",\"fromBlock\":\"0x" + Long.toHexString(from) + "\",\"toBlock\":\"0x" + Long.toHexString(to)
                    + "\"}}").getBytes(StandardCharsets.US_ASCII), false);
        }

        private void deliver(byte[] message, boolean metered) {
            boolean sent;
            synchronized (this) {
                if (cancelled.get()) {
                    return;
                }
                if (early != null) {
                    if (early.size() >= MAX_HELD) {
                        closeNow(CloseCodes.SLOW_CONSUMER);
                        return;
                    }
                    early.add(new Held(message, metered));
                    return;
                }
                // Sent under this subscription's lock, so its notifications keep the upstream's order.
                sent = send(message);
            }
            if (sent && metered) {
                hotPath.meterNotification(SocketSession.this.id, chain, key, "eth_subscription:" + type,
                        limits.notificationWeight(type));
            }
        }

        /** The subscription's id has been sent: what came before goes out now, in order. */
        synchronized void release() {
            ArrayDeque<Held> before = early;
            early = null;
            if (before == null) {
                return;
            }
            for (Held message : before) {
                if (send(message.bytes()) && message.metered()) {
                    hotPath.meterNotification(SocketSession.this.id, chain, key, "eth_subscription:" + type,
                            limits.notificationWeight(type));
                }
            }
        }

        /** Ends the subscription; the hub's side at most once matters (leaving twice is harmless). */
        void cancel() {
            if (!cancelled.compareAndSet(false, true)) {
                return;
            }
            SubscriptionHub.Subscription open = upstream;
            if (open != null) {
                open.cancel();
            }
        }
    }
}
