package dev.relaygate.gateway.upstream;

import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import dev.relaygate.gateway.routing.ChainProperties;
import dev.relaygate.gateway.routing.UpstreamTier;

/**
 * One upstream of one chain and what the gateway has learnt about it: observed latency (an EWMA), calls in flight, the head block its last health check reported, whether that check failed, its
 * circuit breaker and its budget. The selector reads it; the router and the health checks write it.
 */
final class UpstreamNode {

    /** Weight of the newest latency sample in the moving averages. */
    private static final double ALPHA = 0.2;

    private final String name;

    private final ChainProperties.Upstream configuration;

    private final UpstreamBreaker breaker;

    private final UpstreamBudget budget;

    private final AtomicInteger inFlight = new AtomicInteger();

    private double meanNanos;

    private boolean observed;

    private volatile long head = -1;

    private volatile boolean checkFailed;

    UpstreamNode(String name, ChainProperties.Upstream configuration, ChainProperties.Ejection ejection,
            LongSupplier nanoTime) {
        this.name = name;
        this.configuration = configuration;
        this.breaker = new UpstreamBreaker(ejection);
        this.budget = new UpstreamBudget(configuration.requestsPerSecond(), configuration.computeUnitsPerSecond(),
                nanoTime);
    }

    /** The name in metrics, logs and tests; never the url, which may carry a credential. */
    String name() {
        return name;
    }

    URI url() {
        return configuration.url();
    }

    /** The node's WebSocket endpoint for subscriptions, or {@code null}. */
    URI wsUrl() {
        return configuration.wsUrl();
    }

    UpstreamTier tier() {
        return configuration.tier();
    }

    int weight() {
        return configuration.weight();
    }

    boolean archive() {
        return configuration.archive();
    }

    UpstreamBreaker breaker() {
        return breaker;
    }

    UpstreamBudget budget() {
        return budget;
    }

    /** The latest head block a health check reported, or -1 before the first. */
    long head() {
        return head;
    }

    void head(long block) {
        this.head = block;
        this.checkFailed = false;
    }

    boolean checkFailed() {
        return checkFailed;
    }

    void checkFailed(boolean failed) {
        this.checkFailed = failed;
    }

    int inFlight() {
        return inFlight.get();
    }

    void started() {
        inFlight.incrementAndGet();
    }

    void ended() {
        inFlight.decrementAndGet();
    }

    /** Records how long a call took (failures too: a slow failure should make the upstream less attractive). */
    synchronized void observe(long nanos) {
        meanNanos = observed ? meanNanos + ALPHA * (nanos - meanNanos) : nanos;
        observed = true;
    }

    /**
     * Records that a call was cancelled (a hedge lost) after {@code nanos}: a lower bound of its latency, so it may
     * only raise the average. Taken as a sample, the short life of a hedge that lost to a fast first upstream would
     * make a slow upstream look fast.
     */
    synchronized void observeAtLeast(long nanos) {
        if (nanos > meanNanos) {
            observe(nanos);
        }
    }

    /** Smoothed latency; 0 before any sample, so that a new upstream is tried soon. */
    synchronized double latencyNanos() {
        return meanNanos;
    }

    /** Lower is better: latency, times the calls already waiting on this upstream, over its weight. */
    double score() {
        return latencyNanos() * (inFlight() + 1) / weight();
    }
}
