package dev.relaygate.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relaygate.gateway.testsupport.TestRedis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/** Two gateway instances (two limiters, two Lettuce clients) against one Redis enforce one global limit. */
class SharedLimitIT {

    // Generous timeout: this test is about accuracy under contention, not about degraded mode.
    private static final RateLimitProperties PROPERTIES = RateLimitProperties.defaults()
        .withInstanceCount(2)
        .withCommandTimeout(Duration.ofSeconds(5));

    private final TestClock clock = new TestClock();
    private RateLimitRedis redisA;
    private RateLimitRedis redisB;
    private RedisRateLimiter instanceA;
    private RedisRateLimiter instanceB;

    @BeforeEach
    void startTwoInstances() {
        redisA = connect(PROPERTIES);
        redisB = connect(PROPERTIES);
        instanceA = new RedisRateLimiter(redisA, PROPERTIES, clock, new SimpleMeterRegistry());
        instanceB = new RedisRateLimiter(redisB, PROPERTIES, clock, new SimpleMeterRegistry());
    }

    /** A connection to the Redis under test (the shared server; a cluster in {@link SharedLimitOnClusterIT}). */
    RateLimitRedis connect(RateLimitProperties properties) {
        return RateLimitRedis.connect(TestRedis.url(), properties);
    }

    @AfterEach
    void stopInstances() {
        instanceA.close();
        instanceB.close();
        redisA.close();
        redisB.close();
    }

    @Test
    void twoInstancesTogetherAdmitNoMoreThanTheLimitPlusOnePercent() {
        // The clock stands still: no refill, so the burst is all that may ever be admitted.
        long limit = 50_000;
        RateLimitPolicy policy = new RateLimitPolicy(1, limit, 3_000_000);
        long cost = MethodWeights.defaults().cost("evm", "eth_call");
        String organizationId = "org-" + UUID.randomUUID();
        List<RedisRateLimiter> instances = List.of(instanceA, instanceB);
        int requests = (int) (2 * limit / cost);

        List<RateLimitDecision> decisions = Flux.range(0, requests)
            .flatMap(i -> instances.get(i % 2).consume(organizationId, policy, cost)
                .subscribeOn(Schedulers.parallel()), 32)
            .collectList()
            .block(Duration.ofSeconds(60));

        assertThat(decisions).hasSize(requests);
        long admittedUnits = decisions.stream().filter(RateLimitDecision::allowed).count() * cost;
        System.out.printf("two instances admitted %d CU of a %d CU limit (%+.2f %%)%n", admittedUnits, limit,
            100.0 * (admittedUnits - limit) / limit);
        assertThat(admittedUnits).isLessThanOrEqualTo(limit + limit / 100);
        // And the limit is shared, not split: together they admit (almost) all of it.
        assertThat(admittedUnits).isGreaterThanOrEqualTo(limit - limit / 100);
        assertThat(instanceA.isDegraded()).isFalse();
        assertThat(instanceB.isDegraded()).isFalse();
    }
}
