package dev.relaygate.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.relaygate.gateway.testsupport.TestRedis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.test.StepVerifier;

/**
 * The Redis-backed limiter on a real Redis, one instance, clock under the test's control. The command timeout is
 * generous here so that a cold JVM never drops into degraded mode; {@link RedisOutageIT} tests the short one.
 */
class RedisRateLimiterIT {

    private static final RateLimitProperties PROPERTIES =
        RateLimitProperties.defaults().withCommandTimeout(Duration.ofSeconds(2));

    private static RateLimitRedis redis;
    private static RedisCommandStats stats;

    private final TestClock clock = new TestClock();
    private final RedisRateLimiter limiter =
        new RedisRateLimiter(redis, PROPERTIES, clock, new SimpleMeterRegistry());
    private final String organizationId = "org-" + UUID.randomUUID();

    @BeforeAll
    static void connect() {
        redis = RateLimitRedis.connect(TestRedis.url(), PROPERTIES);
        stats = new RedisCommandStats(TestRedis.url());
    }

    @AfterAll
    static void disconnect() {
        stats.close();
        redis.close();
    }

    @AfterEach
    void closeLimiter() {
        assertThat(limiter.isDegraded()).as("decided on Redis throughout").isFalse();
        limiter.close();
    }

    @Test
    void refusesTheRequestThatDoesNotFitAndSaysWhenToRetry() {
        // 10 CU/s sustained, burst 100: ten calls of 10 CU fit, the eleventh does not.
        RateLimitPolicy policy = new RateLimitPolicy(10, 100, 6_000);
        for (int i = 0; i < 10; i++) {
            StepVerifier.create(limiter.consume(organizationId, policy, 10))
                .assertNext(decision -> assertThat(decision.allowed()).isTrue())
                .verifyComplete();
        }

        StepVerifier.create(limiter.consume(organizationId, policy, 10))
            .assertNext(decision -> {
                assertThat(decision.allowed()).isFalse();
                assertThat(decision.limit()).isEqualTo(100);
                assertThat(decision.remaining()).isZero();
                assertThat(decision.retryAfter()).isEqualTo(Duration.ofSeconds(1));
                assertThat(decision.retryAfterSeconds()).isEqualTo(1);
                assertThat(decision.resetSeconds()).isEqualTo(10);
            })
            .verifyComplete();
        assertThat(limiter.isDegraded()).isFalse();
    }

    @Test
    void aFreshInstanceContinuesFromTheBucketInRedis() {
        // A restarted (or another) gateway has never seen the bucket: its first guess that the bucket is new
        // fails the compare-and-swap, and it decides from the state Redis answered with instead.
        RateLimitPolicy policy = new RateLimitPolicy(10, 100, 6_000);
        StepVerifier.create(limiter.consume(organizationId, policy, 95))
            .assertNext(decision -> assertThat(decision.allowed()).isTrue()).verifyComplete();

        try (RedisRateLimiter restarted =
                 new RedisRateLimiter(redis, PROPERTIES, clock, new SimpleMeterRegistry())) {
            StepVerifier.create(restarted.consume(organizationId, policy, 10))
                .assertNext(decision -> assertThat(decision.allowed()).isFalse()).verifyComplete();
            StepVerifier.create(restarted.consume(organizationId, policy, 5))
                .assertNext(decision -> {
                    assertThat(decision.allowed()).isTrue();
                    assertThat(decision.remaining()).isZero();
                })
                .verifyComplete();
            assertThat(restarted.isDegraded()).isFalse();
        }
        // And the first instance, whose copy is now stale, learns of that spending through its own swap (a call
        // beyond its 1 CU unsynchronised allowance, so it must ask Redis).
        StepVerifier.create(limiter.consume(organizationId, policy, 5))
            .assertNext(decision -> assertThat(decision.allowed()).isFalse()).verifyComplete();
    }

    @Test
    void startsAFreshBucketWhenRedisLostTheOneThisInstanceLastSaw() {
        // An expiry, a flush or a restarted Redis: the remembered state no longer matches, and the swap that finds
        // no bucket at all makes the retry start from a full one.
        RateLimitPolicy policy = new RateLimitPolicy(10, 100, 6_000);
        StepVerifier.create(limiter.consume(organizationId, policy, 90))
            .assertNext(decision -> assertThat(decision.allowed()).isTrue()).verifyComplete();

        stats.delete(RateLimitKeys.organization(organizationId, policy));

        StepVerifier.create(limiter.consume(organizationId, policy, 50))
            .assertNext(decision -> {
                assertThat(decision.allowed()).isTrue();
                assertThat(decision.remaining()).isEqualTo(50);
            })
            .verifyComplete();
        assertThat(stats.exists(RateLimitKeys.organization(organizationId, policy))).isTrue();
    }

    @Test
    void admitsAgainOnceTheBucketHasRefilled() {
        RateLimitPolicy policy = new RateLimitPolicy(10, 100, 6_000);
        StepVerifier.create(limiter.consume(organizationId, policy, 100))
            .assertNext(decision -> assertThat(decision.allowed()).isTrue()).verifyComplete();
        StepVerifier.create(limiter.consume(organizationId, policy, 10))
            .assertNext(decision -> assertThat(decision.allowed()).isFalse()).verifyComplete();

        clock.advance(Duration.ofSeconds(1));

        StepVerifier.create(limiter.consume(organizationId, policy, 10))
            .assertNext(decision -> {
                assertThat(decision.allowed()).isTrue();
                assertThat(decision.remaining()).isZero();
            })
            .verifyComplete();
        StepVerifier.create(limiter.consume(organizationId, policy, 1))
            .assertNext(decision -> assertThat(decision.allowed()).isFalse()).verifyComplete();
    }

    @Test
    void chargesABatchTheSumOfItsCalls() {
        RateLimitPolicy policy = new RateLimitPolicy(330, 660, 12_000);
        long batchCost = MethodWeights.defaults().cost("evm", List.of("eth_blockNumber", "eth_call", "eth_getLogs"));

        StepVerifier.create(limiter.consume(organizationId, policy, batchCost))
            .assertNext(decision -> {
                assertThat(decision.allowed()).isTrue();
                assertThat(decision.remaining()).isEqualTo(660 - (10 + 26 + 75));
            })
            .verifyComplete();
    }

    @Test
    void aPlanChangeHoldsTheOrganizationToTheNewLimitsAtOnce() {
        RateLimitPolicy free = new RateLimitPolicy(10, 1_000, 60_000);
        StepVerifier.create(limiter.consume(organizationId, free, 1_000))
            .assertNext(decision -> assertThat(decision.allowed()).isTrue()).verifyComplete();
        StepVerifier.create(limiter.consume(organizationId, free, 100))
            .assertNext(decision -> assertThat(decision.allowed()).isFalse()).verifyComplete();

        // Moved to a plan with more room (at the same plan version, as two plans can be): its own bucket, full.
        RateLimitPolicy paid = new RateLimitPolicy(20, 5_000, 60_000);
        StepVerifier.create(limiter.consume(organizationId, paid, 4_000))
            .assertNext(decision -> {
                assertThat(decision.allowed()).isTrue();
                assertThat(decision.limit()).isEqualTo(5_000);
                assertThat(decision.remaining()).isEqualTo(1_000);
            })
            .verifyComplete();

        // Moved back: the free plan's limits again, and its bucket as it was left (still empty, not refilled).
        StepVerifier.create(limiter.consume(organizationId, free, 100))
            .assertNext(decision -> assertThat(decision.allowed()).isFalse()).verifyComplete();
        clock.advance(Duration.ofSeconds(10));
        StepVerifier.create(limiter.consume(organizationId, free, 100))
            .assertNext(decision -> assertThat(decision.allowed()).isTrue()).verifyComplete();
    }

    @Test
    void holdsEveryOrganizationToThePlanInABucketOfItsOwn() {
        RateLimitPolicy policy = new RateLimitPolicy(10, 100, 6_000);
        StepVerifier.create(limiter.consume(organizationId, policy, 80))
            .assertNext(decision -> assertThat(decision.allowed()).isTrue()).verifyComplete();

        StepVerifier.create(limiter.consume(organizationId, policy, 30))
            .assertNext(decision -> {
                assertThat(decision.allowed()).isFalse();
                assertThat(decision.retryAfter()).isEqualTo(Duration.ofSeconds(1));
            })
            .verifyComplete();

        // Another organization's bucket is untouched: it still holds its full burst.
        StepVerifier.create(limiter.consume("org-" + UUID.randomUUID(), policy, 100))
            .assertNext(decision -> assertThat(decision.allowed()).isTrue()).verifyComplete();
    }

    @Test
    void storesBucketsUnderTheDocumentedKeysWithAnExpiry() {
        RateLimitPolicy policy = new RateLimitPolicy(10, 100, 6_000);

        StepVerifier.create(limiter.consume(organizationId, policy, 10))
            .assertNext(decision -> assertThat(decision.allowed()).isTrue()).verifyComplete();

        // rg:rl:org:{<organizationId>}:<burst>:<perSecond>:<perMinute>, as docs/rate-limiting.md says
        assertThat(stats.exists("rg:rl:org:{" + organizationId + "}:100:10:6000")).isTrue();
        assertThat(stats.ttlMillis("rg:rl:org:{" + organizationId + "}:100:10:6000")).isPositive();
    }

    @Test
    void refusesARequestCostingMoreThanTheBucketCanHold() {
        RateLimitPolicy policy = new RateLimitPolicy(10, 100, 6_000);

        StepVerifier.create(limiter.consume(organizationId, policy, 101))
            .assertNext(decision -> {
                assertThat(decision.allowed()).isFalse();
                assertThat(decision.retryAfter()).isEqualTo(RateLimitDecision.MAX_RETRY_AFTER);
            })
            .verifyComplete();
    }
}
