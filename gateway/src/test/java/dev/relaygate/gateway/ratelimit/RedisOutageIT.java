package dev.relaygate.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relaygate.gateway.testsupport.TestRedis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Flux;

/**
 * Degraded mode on a Redis of its own that the test stops, restarts and freezes: every call is answered, the
 * local buckets hold limit / instanceCount, the gauge tells, and the limiter returns to Redis by itself.
 */
class RedisOutageIT {

    private static final RateLimitProperties PROPERTIES = RateLimitProperties.defaults().withInstanceCount(2);
    private static final RateLimitPolicy POLICY = new RateLimitPolicy(1, 100, 6_000);

    private static TestRedis.Dedicated server;
    private static RateLimitRedis redis;
    private static RedisCommandStats admin;

    private final TestClock clock = new TestClock();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private RedisRateLimiter limiter;
    private final String organizationId = "org-" + UUID.randomUUID();

    @BeforeAll
    static void startRedis() {
        server = TestRedis.dedicated();
        redis = RateLimitRedis.connect(server.url(), PROPERTIES);
        admin = new RedisCommandStats(server.url());
    }

    @AfterAll
    static void stopRedis() {
        admin.close();
        redis.close();
        server.stop();
    }

    @BeforeEach
    void startLimiterOnRedis() {
        server.start();
        limiter = new RedisRateLimiter(redis, PROPERTIES, clock, registry);
        // A cold JVM may miss the 50 ms budget on its first calls; start from a limiter that decides on Redis.
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            limiter.consume("warm-up", POLICY, 1).block();
            return !limiter.isDegraded();
        });
    }

    @AfterEach
    void closeLimiter() {
        limiter.close();
    }

    @Test
    void answersEveryCallFromLocalBucketsWhileRedisIsDownAndReturnsWhenItIsBack() {
        List<RateLimitDecision> beforeOutage = consume(organizationId, 10);
        assertThat(beforeOutage).allMatch(RateLimitDecision::allowed);

        server.stop();
        List<RateLimitDecision> duringOutage = consume(organizationId, 80);

        assertThat(duringOutage).hasSize(80);
        assertThat(duringOutage).allMatch(decision -> decision.limit() == 50);
        // Local share: burst 100 / 2 instances, announced as limit 50. The clock stands still, so the local
        // bucket admits exactly 50 in all (a slow cold start may already have decided a few calls locally).
        long admittedLocally = Stream.concat(beforeOutage.stream(), duringOutage.stream())
            .filter(decision -> decision.allowed() && decision.limit() == 50)
            .count();
        assertThat(admittedLocally).isEqualTo(50);
        assertThat(duringOutage.get(79).retryAfter()).isPositive();
        assertThat(limiter.isDegraded()).isTrue();
        assertThat(degradedGauge()).isEqualTo(1.0);

        server.start();

        await().atMost(Duration.ofSeconds(15)).until(() -> !limiter.isDegraded());
        assertThat(degradedGauge()).isZero();
        String afterOutage = "org-" + UUID.randomUUID();
        assertThat(consume(afterOutage, 1)).allMatch(decision -> decision.allowed() && decision.limit() == 100);
        assertThat(admin.exists(RateLimitKeys.organization(afterOutage, POLICY))).isTrue();
    }

    @Test
    void answersWithinTheCommandTimeoutWhenRedisIsFrozen() {
        assertThat(consume(organizationId, 1)).allMatch(RateLimitDecision::allowed);

        server.pauseClients(Duration.ofSeconds(2));
        long started = System.nanoTime();
        RateLimitDecision first = limiter.consume(organizationId, POLICY, 1).block(Duration.ofSeconds(1));
        Duration firstAnswer = Duration.ofNanos(System.nanoTime() - started);
        List<RateLimitDecision> following = consume(organizationId, 20);
        Duration allAnswers = Duration.ofNanos(System.nanoTime() - started);

        assertThat(first).isNotNull();
        assertThat(first.allowed()).isTrue();
        assertThat(firstAnswer).isLessThan(PROPERTIES.commandTimeout().plusMillis(150));
        // Once degraded, nobody waits on the frozen Redis any more.
        assertThat(following).hasSize(20);
        assertThat(allAnswers).isLessThan(PROPERTIES.commandTimeout().plusMillis(300));
        assertThat(limiter.isDegraded()).isTrue();
        assertThat(degradedGauge()).isEqualTo(1.0);

        await().atMost(Duration.ofSeconds(10)).until(() -> !limiter.isDegraded());
        assertThat(degradedGauge()).isZero();
    }

    private List<RateLimitDecision> consume(String organizationId, int calls) {
        return Flux.range(0, calls)
            .concatMap(i -> limiter.consume(organizationId, POLICY, 1))
            .collectList()
            .block(Duration.ofSeconds(10));
    }

    private double degradedGauge() {
        return registry.get(RedisRateLimiter.DEGRADED_METRIC).gauge().value();
    }
}
