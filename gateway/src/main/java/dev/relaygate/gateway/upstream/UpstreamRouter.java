package dev.relaygate.gateway.upstream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.tracing.Span;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

import dev.relaygate.gateway.io.Timers;
import dev.relaygate.gateway.observability.RequestTrace;
import dev.relaygate.gateway.routing.ChainProperties;

/**
 * Relays a request to the upstreams of its chain: asks the {@link UpstreamSelector} for an upstream, sends, reads
 * the outcome, and on a failure the {@link Failure} table allows, sends to another upstream, all within the chain's
 * deadline. Read requests are hedged: when the first upstream has not answered after the chain's p95 latency, a second
 * one is asked too, as far as the chain's {@link HedgeBudget} allows; the first usable answer wins, and the other call
 * may finish within the chain's loser grace, its answer discarded and its connection kept, before it is cancelled
 * ({@link HedgedCall}). Every outcome feeds the upstream's latency average and circuit breaker, and the metrics
 * {@code relaygate.upstream.*}. Knows nothing of HTTP answers to the caller: it hands back a {@link Relayed}.
 */
public final class UpstreamRouter implements AutoCloseable {

    /** Metric names, defined once. */
    static final String ATTEMPTS_METRIC = "relaygate.upstream.attempts";

    static final String LATENCY_METRIC = "relaygate.upstream.latency";

    static final String HEDGES_METRIC = "relaygate.upstream.hedges";

    static final String HEDGES_SKIPPED_METRIC = "relaygate.upstream.hedges.skipped";

    static final String USABLE_METRIC = "relaygate.upstream.usable";

    private static final Logger log = LoggerFactory.getLogger(UpstreamRouter.class);

    private final Map<String, Route> routes;

    private final UpstreamClient client;

    private final MethodCost cost;

    private final LongSupplier nanoTime;

    private final UpstreamHealthChecks health;

    /** The router of the gateway: system time, thread-local randomness, health checks started by {@link #start()}. */
    public UpstreamRouter(ChainProperties chains, UpstreamClient client, MethodCost cost, MeterRegistry meters) {
        this(chains, client, cost, meters, System::nanoTime, () -> ThreadLocalRandom.current().nextLong());
    }

    UpstreamRouter(ChainProperties chains, UpstreamClient client, MethodCost cost, MeterRegistry meters,
            LongSupplier nanoTime, RandomGenerator random) {
        this.client = Objects.requireNonNull(client);
        this.cost = Objects.requireNonNull(cost);
        this.nanoTime = nanoTime;
        Map<String, Route> byId = new HashMap<>();
        for (ChainProperties.Chain chain : chains.chains()) {
            byId.put(chain.id(), new Route(chain, meters, nanoTime, random));
        }
        this.routes = Map.copyOf(byId);
        this.health = new UpstreamHealthChecks(client, cost);
    }

    /** Starts the active health checks of chains with two upstreams or more. */
    public void start() {
        for (Route route : routes.values()) {
            health.start(route.chain, route.selector.nodes());
        }
    }

    @Override
    public void close() {
        health.close();
    }

    /** The upstreams of chain {@code chainId} (for the finalized-head checks), or none. */
    List<UpstreamNode> nodes(String chainId) {
        Route route = routes.get(chainId);
        return route == null ? List.of() : route.selector.nodes();
    }

    /**
     * The upstream of chain {@code chainId} to hold a subscription on: the first usable one with a WebSocket endpoint,
     * other than {@code avoid} (the one that just dropped it) when another has an endpoint; {@code null} when no
     * upstream of the chain has one.
     */
    UpstreamNode subscriptionNode(String chainId, UpstreamNode avoid) {
        Route route = routes.get(chainId);
        if (route == null) {
            return null;
        }
        UpstreamSelector selector = route.selector;
        long bestHead = selector.bestHead();
        long now = nanoTime.getAsLong();
        UpstreamNode other = null;
        UpstreamNode any = null;
        for (UpstreamNode node : selector.nodes()) {
            if (node.wsUrl() == null) {
                continue;
            }
            if (node != avoid && selector.usable(node, bestHead, now)) {
                return node;
            }
            any = any == null ? node : any;
            other = other == null && node != avoid ? node : other;
        }
        return other != null ? other : any;
    }

    /** Whether an upstream of chain {@code chainId} has a WebSocket endpoint, so that clients may subscribe. */
    public boolean servesSubscriptions(String chainId) {
        Route route = routes.get(chainId);
        return route != null && route.selector.nodes().stream().anyMatch(node -> node.wsUrl() != null);
    }

    /** A subscription socket to {@code node} dropped: it counts as a failed call for its circuit breaker. */
    void subscriptionDropped(UpstreamNode node) {
        node.breaker().onFailure(nanoTime.getAsLong());
    }

    /**
     * Sends {@code body}, whose calls have {@code methods}, to the upstreams of chain {@code chainId} until one gives
     * a usable answer, the retry rules forbid another attempt, or the deadline passes. Never errors.
     */
    public Mono<Relayed> relay(String chainId, List<String> methods, byte[] body) {
        return relay(chainId, methods, body, RequestTrace.NONE);
    }

    /**
     * As {@link #relay(String, List, byte[])}, each attempt a child span of {@code trace}'s request span when the
     * request is traced, and the trace context sent upstream with it ({@code traceparent}).
     */
    public Mono<Relayed> relay(String chainId, List<String> methods, byte[] body, RequestTrace trace) {
        Route route = routes.get(chainId);
        if (route == null) {
            return Mono.error(new IllegalArgumentException("No upstreams for chain " + chainId));
        }
        Request request = new Request(route, methods, body, ReadMethods.allReads(methods),
                cost.cost(route.family, methods), nanoTime.getAsLong(), trace);
        return Mono.defer(() -> {
            UpstreamNode first = request.next();
            if (first == null) {
                return Mono.just(new Relayed(null, 0));
            }
            Mono<UpstreamResponse> answer = attempt(request, first);
            // With one upstream there is no other attempt to make room for: each attempt's own timeout bounds it.
            if (route.selector.nodes().size() > 1) {
                Timers timers = Timers.current();
                if (request.hedged()) {
                    route.hedgeBudget.read();
                    answer = HedgedCall.race(answer, route.hedgeDelay(), () -> hedge(request),
                            request::loserGraceNanos, request::answered, timers);
                }
                answer = Deadline.within(answer, route.deadline.toNanos(), timers);
            }
            return answer
                .map(response -> new Relayed(response, request.attempts()))
                // No upstream left, every one failed (the hedge too), or the deadline: the last answer worth relaying.
                .onErrorResume(ended -> Mono.just(new Relayed(request.lastAnswer, request.attempts())));
        });
    }

    /** The hedge of {@code request}, or {@code null} when the hedging budget or the usable upstreams allow none. */
    private Mono<UpstreamResponse> hedge(Request request) {
        Route route = request.route;
        if (!route.hedgeBudget.tryHedge()) {
            route.hedgesSkipped.increment();
            return null;
        }
        UpstreamNode second = request.next(false);
        if (second == null) {
            route.hedgeBudget.refund();
            return null;
        }
        route.hedges.increment();
        return attempt(request, second);
    }

    /** One send to {@code node}; on a failure that allows it, the next attempt elsewhere. */
    private Mono<UpstreamResponse> attempt(Request request, UpstreamNode node) {
        Duration timeout = request.attemptTimeout();
        long started = nanoTime.getAsLong();
        // The upstream's configured name only, never its url (which may carry a credential).
        Span span = request.trace.traced() ? request.trace.attempt(node.name(), request.attempts()) : Span.NOOP;
        node.started();
        return client.post(node.url(), request.body, timeout, request.trace.propagation(span))
            .map(response -> new Outcome(response, classify(request, response)))
            .onErrorResume(error -> Mono.just(new Outcome(null, Failure.of(error))))
            .doFinally(signal -> {
                if (signal == SignalType.CANCEL) {
                    span.tag(RequestTrace.OUTCOME, "cancelled").end();
                }
                node.ended();
                long took = nanoTime.getAsLong() - started;
                request.route.latency(node).record(took, TimeUnit.NANOSECONDS);
                if (signal == SignalType.CANCEL) {
                    request.route.counter(node, "cancelled").increment();
                    node.observeAtLeast(took);
                    // Cancelled: a hedge's loser past its grace, or the request ended (deadline, caller gone). Its
                    // time is a lower bound only. A first attempt that lost to its hedge took at least the p95 plus
                    // the grace: leaving it out would pull the p95, and the hedging delay, down, and hedge more and
                    // more. A hedge that lost says nothing. (A loser that finished within its grace is a full sample,
                    // recorded like any other attempt: it is what the upstream took.)
                    if (took >= request.route.window.p95Nanos()) {
                        request.route.window.record(took);
                    }
                }
                else {
                    node.observe(took);
                }
            })
            .flatMap(outcome -> {
                if (!span.isNoop()) {
                    // Ended here, when the outcome is known, not after the answer went on to the caller.
                    tag(span, outcome);
                    span.end();
                }
                if (outcome.failure == null) {
                    node.breaker().onSuccess();
                    request.route.window.record(nanoTime.getAsLong() - started);
                    request.route.counter(node, "ok").increment();
                    return Mono.just(outcome.response);
                }
                blame(request.route, node, outcome);
                if (outcome.response != null && outcome.response.status() / 100 == 2) {
                    request.lastAnswer = outcome.response;
                }
                if (outcome.failure.mayResend(request.reads)) {
                    return Mono.defer(() -> {
                        UpstreamNode next = request.next();
                        return next == null ? Mono.error(Exhausted.INSTANCE) : attempt(request, next);
                    });
                }
                return request.lastAnswer != null ? Mono.just(request.lastAnswer) : Mono.error(Exhausted.INSTANCE);
            });
    }

    private static void tag(Span span, Outcome outcome) {
        span.tag(RequestTrace.OUTCOME, outcome.failure == null ? "ok" : outcome.failure.name().toLowerCase(Locale.ROOT));
        if (outcome.response != null) {
            span.tag(RequestTrace.UPSTREAM_STATUS, outcome.response.status());
        }
    }

    private void blame(Route route, UpstreamNode node, Outcome outcome) {
        route.counter(node, outcome.failure.name().toLowerCase(Locale.ROOT)).increment();
        if (!outcome.failure.blamesUpstream()) {
            return;
        }
        long now = nanoTime.getAsLong();
        if (outcome.failure == Failure.RATE_LIMITED) {
            node.breaker().ejectNow(now, outcome.response == null ? Duration.ZERO : outcome.response.retryAfter());
        }
        else {
            node.breaker().onFailure(now);
        }
        if (log.isDebugEnabled()) {
            log.debug("Upstream {} of {}: {}", node.name(), route.chain.id(), outcome.failure);
        }
    }

    /** The failure a received answer stands for, or {@code null} when it is an answer to relay. */
    private static Failure classify(Request request, UpstreamResponse response) {
        Failure failure = classify(response, request.reads);
        return failure == null && request.missingBlock(response) ? Failure.NODE_PROBLEM : failure;
    }

    /** The failure a received answer stands for, or {@code null} when it is an answer to relay. */
    static Failure classify(UpstreamResponse response, boolean reads) {
        int status = response.status();
        if (status == 429) {
            return Failure.RATE_LIMITED;
        }
        if (status / 100 != 2) {
            return Failure.HTTP_ERROR;
        }
        Failure failure = NodeAnswers.classify(response.body());
        // A write's JSON-RPC error is its answer ("nonce too low"); only a rate limit says something of the node.
        return reads || failure == Failure.RATE_LIMITED ? failure : null;
    }

    private record Outcome(UpstreamResponse response, Failure failure) {
    }

    /** No upstream left to try; the request ends with the last answer, if any. */
    private static final class Exhausted extends RuntimeException {

        static final Exhausted INSTANCE = new Exhausted();

        private Exhausted() {
            super("no upstream left", null, false, false);
        }
    }

    /** One chain's upstreams, selector and settings, and its meters. */
    private static final class Route {

        final ChainProperties.Chain chain;

        final String family;

        final UpstreamSelector selector;

        final AttemptTimeouts timeouts;

        final Duration deadline;

        final int maxAttempts;

        final ChainProperties.Hedging hedging;

        /** The chain has archive and full upstreams: only then does it matter which a state read goes to. */
        private final boolean mixedArchive;

        private final long pruningWindow;

        final Counter hedges;

        final Counter hedgesSkipped;

        final HedgeBudget hedgeBudget;

        final LatencyWindow window = new LatencyWindow();

        private final Map<UpstreamNode, Map<String, Counter>> counters = new HashMap<>();

        private final Map<UpstreamNode, Timer> latencies = new HashMap<>();

        Route(ChainProperties.Chain chain, MeterRegistry meters, LongSupplier nanoTime, RandomGenerator random) {
            this.chain = chain;
            this.family = chain.family().tableName();
            List<UpstreamNode> nodes = new ArrayList<>();
            for (int i = 0; i < chain.upstreams().size(); i++) {
                ChainProperties.Upstream upstream = chain.upstreams().get(i);
                String name = upstream.name() != null ? upstream.name() : chain.id() + "-" + i;
                nodes.add(new UpstreamNode(name, upstream, chain.ejection(), nanoTime));
            }
            this.selector = new UpstreamSelector(nodes, chain.health().maxBlocksBehind(), nanoTime, random);
            this.timeouts = new AttemptTimeouts(chain.retry());
            this.deadline = chain.retry().deadline();
            this.maxAttempts = chain.retry().maxAttempts();
            this.hedging = chain.hedging();
            this.mixedArchive = nodes.stream().anyMatch(UpstreamNode::archive)
                    && nodes.stream().anyMatch(node -> !node.archive());
            this.pruningWindow = chain.health().pruningWindow();
            this.hedges = meters.counter(HEDGES_METRIC, "chain", chain.id());
            this.hedgesSkipped = meters.counter(HEDGES_SKIPPED_METRIC, "chain", chain.id());
            this.hedgeBudget = new HedgeBudget(hedging.maxRatio(), ChainProperties.Hedging.BUDGET_READS);
            Set<String> outcomes = new HashSet<>(List.of("ok", "cancelled"));
            for (Failure failure : Failure.values()) {
                outcomes.add(failure.name().toLowerCase(Locale.ROOT));
            }
            for (UpstreamNode node : nodes) {
                Map<String, Counter> byOutcome = new HashMap<>();
                for (String outcome : outcomes) {
                    byOutcome.put(outcome, meters.counter(ATTEMPTS_METRIC, "chain", chain.id(), "upstream",
                            node.name(), "outcome", outcome));
                }
                counters.put(node, Map.copyOf(byOutcome));
                latencies.put(node, Timer.builder(LATENCY_METRIC).tag("chain", chain.id()).tag("upstream", node.name())
                    .publishPercentileHistogram(false).register(meters));
                Gauge.builder(USABLE_METRIC, node,
                        n -> selector.usable(n, selector.bestHead(), nanoTime.getAsLong()) ? 1 : 0)
                    .tag("chain", chain.id()).tag("upstream", node.name()).register(meters);
            }
        }

        Counter counter(UpstreamNode node, String outcome) {
            return counters.get(node).get(outcome);
        }

        Timer latency(UpstreamNode node) {
            return latencies.get(node);
        }

        /** Whether {@code body} reads state older than full nodes keep (only asked on chains with both kinds). */
        boolean needsArchive(byte[] body) {
            if (!mixedArchive) {
                return false;
            }
            long bestHead = selector.bestHead();
            long block = bestHead < 0 ? -1 : BlockReferences.lowestStateBlock(body);
            return block >= 0 && block < bestHead - pruningWindow;
        }

        boolean hedgeable() {
            return hedging.enabled() && selector.nodes().size() > 1 && maxAttempts > 1;
        }

        /** The fixed delay, or the chain's recent p95 within bounds (the ceiling until there are enough samples). */
        Duration hedgeDelay() {
            if (hedging.delay() != null) {
                return hedging.delay();
            }
            long p95 = window.p95Nanos();
            if (p95 < 0) {
                return hedging.maxDelay();
            }
            long nanos = Math.clamp(p95, hedging.minDelay().toNanos(), hedging.maxDelay().toNanos());
            return Duration.ofNanos(nanos);
        }
    }

    /** One relayed request: what it has tried, how many sends, its deadline, and the last answer worth relaying. */
    private final class Request {

        final Route route;

        final byte[] body;

        final boolean reads;

        private final long calls;

        private final long units;

        private final Duration timeout;

        private final long deadlineNanos;

        private final Set<UpstreamNode> tried = new HashSet<>(4);

        private final boolean needsArchive;

        /** The block a single block read names, or -1: a {@code null} answer for it may blame the node. */
        private final long blockRead;

        private int attempts;

        /** The caller has its answer: a call still running (a hedge's loser) starts no further attempt. */
        private volatile boolean answered;

        volatile UpstreamResponse lastAnswer;

        final RequestTrace trace;

        Request(Route route, List<String> methods, byte[] body, boolean reads, long units, long startedNanos,
                RequestTrace trace) {
            this.route = route;
            this.trace = trace;
            this.body = body;
            this.reads = reads;
            this.calls = Math.max(1, methods.size());
            this.units = units;
            this.timeout = route.timeouts.of(methods);
            this.deadlineNanos = startedNanos + route.deadline.toNanos();
            this.needsArchive = reads && route.needsArchive(body);
            this.blockRead = reads && methods.size() == 1 && BlockReferences.BLOCK_READS.containsKey(methods.get(0))
                    ? BlockReferences.blockRead(body) : -1;
        }

        /**
         * Whether a {@code null} answer to a block read blames the node: the block is at or below the best head
         * another upstream reports, so the chain has it and this node has not caught up.
         */
        boolean missingBlock(UpstreamResponse response) {
            return blockRead >= 0 && blockRead <= route.selector.bestHead() && BlockReferences.nullResult(response.body());
        }

        boolean hedged() {
            return reads && route.hedgeable();
        }

        /** The upstream of the next send, counted and its budget taken; {@code null} when none may be tried. */
        UpstreamNode next() {
            return next(true);
        }

        /** As {@link #next()}; a hedge ({@code panic} false) goes only to a usable upstream. */
        synchronized UpstreamNode next(boolean panic) {
            if (answered || attempts >= route.maxAttempts || nanoTime.getAsLong() - deadlineNanos >= 0) {
                return null;
            }
            UpstreamNode node = route.selector.select(tried, calls, units, needsArchive, panic);
            if (node != null) {
                tried.add(node);
                attempts++;
            }
            return node;
        }

        void answered() {
            answered = true;
        }

        /** How long a hedge's loser may still run: the chain's grace, cut to what is left of the deadline. */
        long loserGraceNanos() {
            return Math.min(route.hedging.loserGrace().toNanos(), deadlineNanos - nanoTime.getAsLong());
        }

        synchronized int attempts() {
            return attempts;
        }

        /** The method class's timeout, cut to what is left of the deadline. */
        Duration attemptTimeout() {
            long left = deadlineNanos - nanoTime.getAsLong();
            return Duration.ofNanos(Math.max(1, Math.min(left, timeout.toNanos())));
        }
    }
}
