package dev.relaygate.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.relaygate.gateway.config.RedisMode;
import dev.relaygate.gateway.testsupport.TestRedis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Counts the Redis round trips spent on limiting ({@code INFO commandstats} of a Redis of its own, before and
 * after) for a stream of relayed requests: on average at most one per request. See docs/rate-limiting.md.
 */
class RedisRoundTripIT {

    private static final Logger log = LoggerFactory.getLogger(RedisRoundTripIT.class);


    private static final RateLimitProperties PROPERTIES =
        RateLimitProperties.defaults().withCommandTimeout(Duration.ofSeconds(2));
    private static final List<String> METHODS =
        List.of("eth_call", "eth_blockNumber", "eth_getBalance", "eth_call", "eth_getTransactionReceipt",
            "eth_getLogs", "eth_call", "eth_chainId");

    private static TestRedis.Dedicated server;
    private static String url;
    private static RedisMode mode;
    private static RateLimitRedis redis;
    private static RedisCommandStats stats;

    private final TestClock clock = new TestClock();
    private final RedisRateLimiter limiter =
        new RedisRateLimiter(redis, PROPERTIES, clock, new SimpleMeterRegistry());
    private final MethodWeights weights = MethodWeights.defaults();

    @BeforeAll
    static void startRedis() {
        server = TestRedis.dedicated();
        connect(server.url(), RedisMode.STANDALONE, new RedisCommandStats(server.url()));
    }

    /** The Redis under test: {@code url} deployed as {@code mode}, its commands counted by {@code commandStats}. */
    static void connect(String redisUrl, RedisMode redisMode, RedisCommandStats commandStats) {
        url = redisUrl;
        mode = redisMode;
        redis = RateLimitRedis.connect(url, mode, PROPERTIES);
        stats = commandStats;
    }

    @AfterAll
    static void stopRedis() {
        stats.close();
        redis.close();
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    @AfterEach
    void closeLimiter() {
        assertThat(limiter.isDegraded()).isFalse();
        limiter.close();
    }

    @Test
    void spendsAtMostOneRoundTripPerRelayedRequestOnAverage() {
        // A paid plan under steady traffic: ~290 requests/s of mixed EVM calls, within its sustained rate.
        RateLimitPolicy growth = new RateLimitPolicy(10_000, 50_000, 600_000);
        int requests = 5_000;
        stats.reset();

        List<RateLimitDecision> decisions = relay(growth, requests, Duration.ofMillis(3));

        long roundTrips = stats.roundTrips();
        double perRequest = (double) roundTrips / requests;
        log.info("round trips: {} for {} requests = {} per request", roundTrips, requests,
            String.format("%.3f", perRequest));
        assertThat(decisions).allMatch(RateLimitDecision::allowed);
        assertThat(perRequest).isLessThanOrEqualTo(1.0);
    }

    @Test
    void quotasAndKeyCapsRideOnTheBucketScriptWithoutARoundTripOfTheirOwn() {
        // The same paid-plan traffic with a monthly quota and a capped key: the counters travel in the bucket's
        // script, so the round trips stay where they were, and Redis ends up holding what was admitted.
        RateLimitPolicy growth = new RateLimitPolicy(10_000, 50_000, 600_000);
        String organizationId = "org-" + UUID.randomUUID();
        KeyCaps caps = KeyCaps.of("key-" + UUID.randomUUID(), 0, 100_000_000, 0);
        int requests = 5_000;
        stats.reset();

        List<RateLimitDecision> decisions = Flux.range(0, requests)
            .concatMap(i -> Mono.defer(() -> {
                clock.advance(Duration.ofMillis(3));
                return limiter.consume(organizationId, growth, 1_000_000_000L, caps,
                    weights.cost("evm", METHODS.get(i % METHODS.size())));
            }))
            .collectList()
            .block(Duration.ofSeconds(60));

        long roundTrips = stats.roundTrips();
        double perRequest = (double) roundTrips / requests;
        log.info("with quota and key cap: {} round trips for {} requests = {} per request ({})",
            roundTrips, requests, String.format("%.3f", perRequest), stats.calls());
        assertThat(decisions).allMatch(RateLimitDecision::allowed);
        assertThat(perRequest).isLessThanOrEqualTo(1.0);
        assertThat(stats.calls().getOrDefault("incrby", 0L)).as("counters carried by the bucket's syncs").isPositive();
        long admitted = decisions.get(decisions.size() - 1).quota().used();
        long inRedis = Long.parseLong(stats.get(
            RateLimitKeys.organizationQuota(organizationId, QuotaPeriods.month(clock.currentTimeNanos() / 1_000_000L).id())));
        // Redis lags this instance by what it admitted since the last sync: at most one allowance (500 CU) and
        // one request.
        assertThat(inRedis).isBetween(admitted - 500 - 500, admitted);
    }

    @Test
    void answersAFloodOfRefusedRequestsWithoutAskingRedis() {
        RateLimitPolicy free = new RateLimitPolicy(330, 660, 12_000);
        String organizationId = "org-" + UUID.randomUUID();
        limiter.consume(organizationId, free, 660).block();
        stats.reset();

        // The clock stands still: every request of the flood is over the limit.
        List<RateLimitDecision> flood = Flux.range(0, 1_000)
            .concatMap(i -> limiter.consume(organizationId, free, 26))
            .collectList()
            .block(Duration.ofSeconds(30));

        assertThat(flood).noneMatch(RateLimitDecision::allowed);
        assertThat(stats.roundTrips()).isLessThanOrEqualTo(2);
    }

    @Test
    void spendsOneRoundTripPerRequestOnASmallPlan() {
        // Free plan: 660 CU burst leaves no unsynchronised room for a 26 CU call, so every admitted request is
        // decided in Redis: one compare-and-swap computed from the state this instance last saw.
        RateLimitPolicy free = new RateLimitPolicy(330, 660, 12_000);
        int requests = 1_000;
        stats.reset();

        List<RateLimitDecision> decisions = relay(free, requests, Duration.ofMillis(100));

        long roundTrips = stats.roundTrips();
        log.info("free plan: {} round trips for {} requests ({})", roundTrips, requests, stats.calls());
        assertThat(decisions).allMatch(RateLimitDecision::allowed);
        assertThat((double) roundTrips / requests).isLessThanOrEqualTo(1.0);
    }

    @Test
    void twoInstancesTakingTurnsOnASmallBucketCostAtMostTwoRoundTripsPerCheck() {
        // The worst case for remembered states: every check finds the other instance's write. Two instances on the
        // free plan, alternating, with the PROPERTIES' instance count of 1 (no unsynchronised allowance at all).
        RateLimitPolicy free = new RateLimitPolicy(330, 660, 12_000);
        String organizationId = "org-" + UUID.randomUUID();
        try (RateLimitRedis otherRedis = RateLimitRedis.connect(url, mode, PROPERTIES);
             RedisRateLimiter other = new RedisRateLimiter(otherRedis, PROPERTIES, clock, new SimpleMeterRegistry())) {
            List<RedisRateLimiter> instances = List.of(limiter, other);
            int requests = 400;
            stats.reset();

            // 26 CU every 100 ms is 260 CU/s, under the 330 CU/s refill: every request fits.
            List<RateLimitDecision> decisions = Flux.range(0, requests)
                .concatMap(i -> Mono.defer(() -> {
                    clock.advance(Duration.ofMillis(100));
                    return instances.get(i % 2).consume(organizationId, free, 26);
                }))
                .collectList()
                .block(Duration.ofSeconds(60));

            long roundTrips = stats.roundTrips();
            log.info("two instances taking turns: {} round trips for {} requests ({})", roundTrips,
                requests, stats.calls());
            assertThat(decisions).allMatch(RateLimitDecision::allowed);
            assertThat(other.isDegraded()).isFalse();
            // One failed swap and one retry per check at most when the instances do not race each other.
            assertThat((double) roundTrips / requests).isLessThanOrEqualTo(2.0);
        }
    }

    @Test
    void callsTheBucketScriptByItsShaAndReloadsItWhenRedisForgotIt() {
        RateLimitPolicy free = new RateLimitPolicy(330, 660, 12_000);
        // One organization throughout: on a cluster, Redis having the script means the master of its slot has it.
        String organizationId = "org-" + UUID.randomUUID();
        relay(free, organizationId, 10, Duration.ofMillis(100));
        stats.reset();

        relay(free, organizationId, 100, Duration.ofMillis(100));

        // Every check that goes to Redis (the delaying optimisation decides some locally) calls the script by its
        // SHA: its text is not sent again once Redis has it.
        assertThat(stats.calls().getOrDefault("evalsha", 0L)).isBetween(50L, 100L);
        assertThat(stats.calls()).doesNotContainKey("eval");

        // A Redis that forgot its scripts (restart, SCRIPT FLUSH): one NOSCRIPT, one EVAL, then EVALSHA again.
        stats.scriptFlush();
        stats.reset();
        List<RateLimitDecision> afterFlush = relay(free, organizationId, 10, Duration.ofMillis(100));

        assertThat(afterFlush).allMatch(RateLimitDecision::allowed);
        assertThat(stats.calls().getOrDefault("eval", 0L)).isEqualTo(1);
        assertThat(stats.calls().getOrDefault("evalsha", 0L)).isBetween(2L, 10L);
    }

    /** One key and organization, requests spaced by {@code gap} on the test clock, each priced by its method. */
    private List<RateLimitDecision> relay(RateLimitPolicy policy, int requests, Duration gap) {
        return relay(policy, "org-" + UUID.randomUUID(), requests, gap);
    }

    private List<RateLimitDecision> relay(RateLimitPolicy policy, String organizationId, int requests, Duration gap) {
        return Flux.range(0, requests)
            .concatMap(i -> Mono.defer(() -> {
                clock.advance(gap);
                return limiter.consume(organizationId, policy, weights.cost("evm", METHODS.get(i % METHODS.size())));
            }))
            .collectList()
            .block(Duration.ofSeconds(60));
    }
}
