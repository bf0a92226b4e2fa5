package dev.relaygate.gateway.upstream;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import dev.relaygate.gateway.routing.ChainFamily;
import dev.relaygate.gateway.routing.ChainProperties;
import dev.relaygate.gateway.routing.UpstreamTier;

/** Builds upstream configuration for the tests of this package, with the defaults of the properties records. */
final class Upstreams {

    static final ChainProperties.Ejection EJECTION = new ChainProperties.Ejection(3, Duration.ofSeconds(1),
            Duration.ofSeconds(60));

    private Upstreams() {
    }

    static ChainProperties.Upstream upstream(String url) {
        return new ChainProperties.Upstream(URI.create(url), null, 1, UpstreamTier.PRIMARY, false, 0, 0, null);
    }

    static ChainProperties.Upstream upstream(String url, String name, int weight, UpstreamTier tier,
            long requestsPerSecond, long computeUnitsPerSecond) {
        return new ChainProperties.Upstream(URI.create(url), name, weight, tier, false, requestsPerSecond,
                computeUnitsPerSecond, null);
    }

    static UpstreamNode node(String name, AtomicLong nanos) {
        return node(name, 1, UpstreamTier.PRIMARY, 0, nanos);
    }

    static UpstreamNode node(String name, int weight, UpstreamTier tier, long requestsPerSecond, AtomicLong nanos) {
        return new UpstreamNode(name, upstream("http://127.0.0.1:1/" + name, name, weight, tier, requestsPerSecond, 0),
                EJECTION, nanos::get);
    }

    /** A chain with the defaults of every section but those given. */
    static ChainProperties.Chain chain(String id, List<ChainProperties.Upstream> upstreams,
            ChainProperties.Retry retry, ChainProperties.Hedging hedging) {
        return new ChainProperties.Chain(id, List.of(), ChainFamily.EVM, upstreams,
                new ChainProperties.Health(Duration.ofSeconds(5), Duration.ofSeconds(2), 5, 128), retry, hedging,
                EJECTION);
    }

    static ChainProperties.Retry retry(Duration deadline, int maxAttempts, Duration timeout) {
        return new ChainProperties.Retry(deadline, maxAttempts, timeout, Map.of());
    }

    static final Duration LOSER_GRACE = Duration.ofSeconds(2);

    static final double MAX_RATIO = 0.1;

    static ChainProperties.Hedging noHedging() {
        return new ChainProperties.Hedging(false, null, Duration.ofMillis(20), Duration.ofSeconds(1), LOSER_GRACE,
                MAX_RATIO);
    }

    /** Hedging after a fixed {@code delay}, with the default grace and budget. */
    static ChainProperties.Hedging hedgingAfter(Duration delay) {
        return hedgingAfter(delay, LOSER_GRACE, MAX_RATIO);
    }

    static ChainProperties.Hedging hedgingAfter(Duration delay, Duration loserGrace, double maxRatio) {
        return new ChainProperties.Hedging(true, delay, Duration.ofMillis(20), Duration.ofSeconds(1), loserGrace,
                maxRatio);
    }

    static ChainProperties.Hedging adaptiveHedging() {
        return new ChainProperties.Hedging(true, null, Duration.ofMillis(5), Duration.ofSeconds(1), LOSER_GRACE,
                MAX_RATIO);
    }
}
