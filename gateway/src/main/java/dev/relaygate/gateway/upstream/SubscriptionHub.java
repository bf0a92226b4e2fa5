package dev.relaygate.gateway.upstream;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's subscriptions on upstream nodes ({@code eth_subscribe} over an upstream WebSocket), shared by every
 * client subscription to the same topic: one upstream subscription per chain for {@code newHeads} and
 * {@code newPendingTransactions}, one per distinct filter for {@code logs}. Each upstream subscription has a socket of
 * its own, opened for the first client and closed with the last one.
 * <p>
 * When an upstream socket drops, the subscription is taken again on another upstream of the chain (the next usable one
 * with a WebSocket endpoint), and the clients' subscriptions go on as they were. For {@code newHeads} the hub keeps the
 * last head it delivered: a head it already delivered (same number and hash) is not delivered again, and the blocks
 * between the last head and the first head of the new upstream are fetched with {@code eth_getBlockByNumber} (through
 * the {@link UpstreamRouter}, with its failover) and delivered in order first; what cannot be fetched is reported to
 * the listeners as a gap (docs/websocket.md, "Guarantees"). Knows nothing of the clients' sockets.
 */
public final class SubscriptionHub implements AutoCloseable {

    /** The subscription types clients may ask for. */
    public static final List<String> TYPES = List.of("newHeads", "logs", "newPendingTransactions");

    static final String UPSTREAM_SUBSCRIPTIONS_METRIC = "relaygate.websocket.upstream.subscriptions";

    static final String RESUBSCRIPTIONS_METRIC = "relaygate.websocket.upstream.resubscriptions";

    /** At most this many missed blocks are fetched after a failover; a longer gap is reported, not filled. */
    static final int MAX_BACKFILL = 128;

    private static final Logger log = LoggerFactory.getLogger(SubscriptionHub.class);

    private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(10);

    private static final Duration MAX_BACK_OFF = Duration.ofSeconds(5);

    private final UpstreamRouter router;

    private final HttpClient.WebsocketSender client;

    private final JsonMapper json;

    private final JsonMapper canonical;

    private final Map<String, Shared> topics = new HashMap<>();

    private final Counter resubscriptions;

    /**
     * @param maxMessageBytes the largest upstream message read (a notification of {@code logs} can be large)
     */
    public SubscriptionHub(UpstreamRouter router, int maxMessageBytes, MeterRegistry meters) {
        this.router = Objects.requireNonNull(router);
        this.client = HttpClient.newConnection()
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000)
            .websocket(WebsocketClientSpec.builder().maxFramePayloadLength(maxMessageBytes).build());
        this.json = JsonMapper.builder().build();
        this.canonical = JsonMapper.builder().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();
        Gauge.builder(UPSTREAM_SUBSCRIPTIONS_METRIC, this, hub -> hub.openTopics()).register(meters);
        this.resubscriptions = meters.counter(RESUBSCRIPTIONS_METRIC);
    }

    /** Receives one client subscription's notifications; called on I/O threads, must not block. */
    public interface Listener {

        /** One notification's {@code result}, as JSON. */
        void onResult(byte[] result);

        /** {@code newHeads} only: blocks {@code from} to {@code to} (inclusive) could not be delivered. */
        void onGap(long from, long to);
    }

    /** A client subscription: cancelled when the client unsubscribes or its socket closes. */
    public interface Subscription {

        void cancel();
    }

    /** The upstream refused the subscription; {@code error} is its JSON-RPC error object. */
    public static final class Refused extends RuntimeException {

        private final byte[] error;

        Refused(byte[] error) {
            super("upstream refused the subscription", null, false, false);
            this.error = error;
        }

        public byte[] error() {
            return error.clone();
        }
    }

    /**
     * Subscribes {@code listener} to {@code type} on chain {@code chainId}; {@code filter} is the {@code logs} filter
     * as JSON, or {@code null}. Completes once the upstream subscription is confirmed (at once when it is shared with
     * an earlier client); fails with {@link Refused} when the upstream refuses it, or when no upstream confirms in
     * time.
     */
    public Mono<Subscription> subscribe(String chainId, String type, byte[] filter, Listener listener) {
        String params;
        try {
            params = filter == null ? "[\"" + type + "\"]"
                    : "[\"" + type + "\"," + canonical.writeValueAsString(json.readValue(filter, Object.class)) + "]";
        }
        catch (JacksonException unreadable) {
            return Mono.error(new IllegalArgumentException("unreadable filter"));
        }
        String topic = chainId + "|" + params;
        Shared shared;
        boolean first;
        synchronized (topics) {
            shared = topics.get(topic);
            first = shared == null;
            if (first) {
                shared = new Shared(topic, chainId, type, params);
                topics.put(topic, shared);
            }
            shared.listeners.add(listener);
        }
        if (first) {
            shared.connect(null, 0);
        }
        Shared joined = shared;
        Subscription subscription = () -> leave(joined, listener);
        return joined.confirmed.asMono()
            .timeout(CONFIRM_TIMEOUT)
            .thenReturn(subscription)
            .doOnError(failure -> leave(joined, listener))
            .doOnCancel(() -> leave(joined, listener));
    }

    private void leave(Shared shared, Listener listener) {
        synchronized (topics) {
            if (!shared.listeners.remove(listener) || !shared.listeners.isEmpty()) {
                return;
            }
            topics.remove(shared.topic, shared);
        }
        shared.close();
    }

    private int openTopics() {
        synchronized (topics) {
            return topics.size();
        }
    }

    @Override
    public void close() {
        List<Shared> open;
        synchronized (topics) {
            open = List.copyOf(topics.values());
            topics.clear();
        }
        open.forEach(Shared::close);
    }

    /** One upstream subscription and the clients that share it. */
    private final class Shared {

        final String topic;

        final String chainId;

        final String type;

        final byte[] subscribe;

        final List<Listener> listeners = new CopyOnWriteArrayList<>();

        final Sinks.One<Void> confirmed = Sinks.one();

        /** The upstream's notifications, handled one after another (a backfill holds later heads back). */
        final Sinks.Many<Event> events = Sinks.many().unicast().onBackpressureBuffer();

        /** The upstream confirmed the subscription once already: a later confirmation is a resubscription. */
        volatile boolean held;

        final Disposable handling;

        /** newHeads: the number and hash of the last head delivered, and the hashes of recent heads. */
        long lastHead = -1;

        final Map<Long, String> recentHashes = new java.util.LinkedHashMap<>(64, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
                return size() > MAX_BACKFILL;
            }
        };

        volatile boolean closed;

        volatile Disposable connection;

        /** The name of the upstream holding the subscription, for logs. */
        volatile String current;

        Shared(String topic, String chainId, String type, String params) {
            this.topic = topic;
            this.chainId = chainId;
            this.type = type;
            this.subscribe = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_subscribe\",\"params\":" + params + "}")
                .getBytes(StandardCharsets.UTF_8);
            this.handling = events.asFlux()
                .concatMap(this::handle)
                .subscribe(null, failure -> log.error("Subscription handling of chain {} failed", chainId, failure));
        }

        /** Opens the upstream socket on a node other than {@code dropped}, after a back-off that grows with failures. */
        void connect(UpstreamNode dropped, int failures) {
            if (closed) {
                return;
            }
            UpstreamNode node = router.subscriptionNode(chainId, dropped);
            if (node == null) {
                confirmed.tryEmitError(new IllegalStateException("no upstream with a WebSocket endpoint"));
                return;
            }
            Duration delay = failures == 0 ? Duration.ZERO
                    : Duration.ofMillis(Math.min(MAX_BACK_OFF.toMillis(), 100L << Math.min(failures - 1, 6)));
            boolean[] subscribed = {false};
            current = node.name();
            connection = Mono.delay(delay)
                .thenMany(client.uri(node.wsUrl().toString())
                    .handle((in, out) -> out.sendByteArray(Mono.just(subscribe)).then()
                        .thenMany(in.aggregateFrames(Integer.MAX_VALUE).receive().asByteArray())))
                .subscribe(message -> {
                    if (onMessage(message)) {
                        subscribed[0] = true;
                    }
                }, failure -> dropped(node, subscribed[0], failures, failure.toString()),
                        () -> dropped(node, subscribed[0], failures, "closed by the upstream"));
        }

        private void dropped(UpstreamNode node, boolean subscribed, int failures, String why) {
            if (closed) {
                return;
            }
            router.subscriptionDropped(node);
            resubscriptions.increment();
            log.warn("Subscription socket of chain {} to upstream {} dropped ({}); subscribing again elsewhere", chainId,
                    node.name(), why);
            connect(node, subscribed ? 1 : failures + 1);
        }

        /** @return whether the message confirmed the subscription */
        private boolean onMessage(byte[] message) {
            JsonNode node;
            try {
                node = json.readTree(message);
            }
            catch (JacksonException unreadable) {
                log.warn("Unreadable message on a subscription socket of chain {}", chainId);
                return false;
            }
            if (node.has("method") && "eth_subscription".equals(node.get("method").asString())) {
                JsonNode result = node.path("params").path("result");
                if (!result.isMissingNode()) {
                    emit(result, false);
                }
                return false;
            }
            if (node.has("error") && !node.get("error").isNull()) {
                confirmed.tryEmitError(new Refused(json.writeValueAsBytes(node.get("error"))));
                closeForAll();
                return false;
            }
            if (node.has("result")) {
                log.info("Subscription {} of chain {} held on upstream {}", type, chainId, current);
                if (held && "newHeads".equals(type)) {
                    // Taken again after a drop: blocks mined meanwhile are fetched now, not at the next head.
                    block(-1).subscribe(latest -> emit(latest, true));
                }
                held = true;
                confirmed.tryEmitEmpty();
                return true;
            }
            return false;
        }

        private synchronized void emit(JsonNode result, boolean probe) {
            Sinks.EmitResult emitted = events.tryEmitNext(new Event(result, probe));
            if (emitted.isFailure()) {
                log.warn("Subscription {} of chain {}: a notification was not handled ({})", type, chainId, emitted);
            }
        }

        /** Delivers one upstream notification, for newHeads after the missed heads and never twice. */
        private Mono<Void> handle(Event event) {
            JsonNode result = event.result();
            if (!"newHeads".equals(type)) {
                deliver(json.writeValueAsBytes(result));
                return Mono.empty();
            }
            long number = quantity(result.path("number"));
            String hash = result.path("hash").asString(null);
            if (event.probe() && number <= lastHead) {
                // The latest block of the new upstream, asked after a resubscription: only news count.
                return Mono.empty();
            }
            if (number < 0 || lastHead < 0 || number <= lastHead + 1) {
                if (number >= 0 && hash != null && hash.equals(recentHashes.get(number))) {
                    return Mono.empty();
                }
                delivered(number, hash, result);
                return Mono.empty();
            }
            long from = lastHead + 1;
            long to = number - 1;
            if (to - from + 1 > MAX_BACKFILL) {
                gap(from, to);
                delivered(number, hash, result);
                return Mono.empty();
            }
            return Flux.range(0, (int) (to - from + 1))
                .concatMap(i -> block(from + i)
                    .doOnNext(block -> delivered(from + i, block.path("hash").asString(null), block))
                    .switchIfEmpty(Mono.fromRunnable(() -> gap(from + i, from + i))))
                .then(Mono.fromRunnable(() -> delivered(number, hash, result)));
        }

        private void delivered(long number, String hash, JsonNode head) {
            if (number >= 0) {
                lastHead = number;
                if (hash != null) {
                    recentHashes.put(number, hash);
                }
            }
            deliver(json.writeValueAsBytes(head));
        }

        private void gap(long from, long to) {
            log.warn("Subscription of chain {}: blocks {} to {} could not be fetched after a failover", chainId, from,
                    to);
            lastHead = Math.max(lastHead, to);
            for (Listener listener : listeners) {
                listener.onGap(from, to);
            }
        }

        /** Block {@code number} ({@code -1}: the latest) from any upstream of the chain (the router fails over), or empty. */
        private Mono<JsonNode> block(long number) {
            String tag = number < 0 ? "latest" : "0x" + Long.toHexString(number);
            byte[] body = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBlockByNumber\",\"params\":[\""
                    + tag + "\",false]}").getBytes(StandardCharsets.UTF_8);
            return router.relay(chainId, List.of("eth_getBlockByNumber"), body)
                .flatMap(relayed -> {
                    if (!relayed.answered() || relayed.response().status() / 100 != 2) {
                        return Mono.empty();
                    }
                    JsonNode block = json.readTree(relayed.response().body()).path("result");
                    return block.isObject() ? Mono.just(block) : Mono.<JsonNode>empty();
                })
                .onErrorResume(failure -> Mono.empty());
        }

        private void deliver(byte[] result) {
            for (Listener listener : listeners) {
                listener.onResult(result);
            }
        }

        /** The upstream refused the subscription: every client of it is told (through their subscribe call). */
        private void closeForAll() {
            synchronized (topics) {
                topics.remove(topic, this);
            }
            close();
        }

        void close() {
            closed = true;
            Disposable open = connection;
            if (open != null) {
                open.dispose();
            }
            events.tryEmitComplete();
        }
    }

    /** An upstream notification's result; a probe is the latest block fetched after a resubscription. */
    private record Event(JsonNode result, boolean probe) {
    }

    /** A JSON-RPC quantity ({@code "0x1a"}), or -1. */
    private static long quantity(JsonNode node) {
        String text = node.asString(null);
        if (text == null || !text.startsWith("0x") || text.length() < 3 || text.length() > 18) {
            return -1;
        }
        try {
            return Long.parseLong(text.substring(2), 16);
        }
        catch (NumberFormatException e) {
            return -1;
        }
    }
}
