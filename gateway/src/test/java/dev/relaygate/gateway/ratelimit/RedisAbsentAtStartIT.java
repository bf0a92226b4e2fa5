package dev.relaygate.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relaygate.gateway.testsupport.TestRedis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * A gateway started while its Redis is down: the limiter comes up anyway, decides locally (degraded), and moves to
 * the shared buckets by itself once Redis appears.
 */
class RedisAbsentAtStartIT {

    private static final RateLimitProperties PROPERTIES = RateLimitProperties.defaults().withInstanceCount(2);
    private static final RateLimitPolicy POLICY = new RateLimitPolicy(1, 100, 6_000);

    private final TestClock clock = new TestClock();
    private final String organizationId = "org-" + UUID.randomUUID();
    private TestRedis.Dedicated server;

    @BeforeEach
    void redisIsDown() {
        server = TestRedis.dedicated();
        server.stop();
    }

    @AfterEach
    void stopRedis() {
        server.stop();
    }

    @Test
    void startsOnLocalBucketsAndMovesToRedisWhenItAppears() {
        try (RateLimitRedis redis = RateLimitRedis.connect(server.url(), PROPERTIES);
             RedisRateLimiter limiter = new RedisRateLimiter(redis, PROPERTIES, clock, new SimpleMeterRegistry())) {
            assertThat(limiter.isDegraded()).as("degraded from the start, before any call").isTrue();

            RateLimitDecision local = limiter.consume(organizationId, POLICY, 1).block(Duration.ofSeconds(5));

            assertThat(local.allowed()).isTrue();
            assertThat(local.limit()).as("local share: burst 100 / 2 instances").isEqualTo(50);
            assertThat(limiter.isDegraded()).isTrue();

            server.start();

            await().atMost(Duration.ofSeconds(15)).until(() -> !limiter.isDegraded());
            RateLimitDecision shared = limiter.consume(organizationId, POLICY, 1).block(Duration.ofSeconds(5));
            assertThat(shared.allowed()).isTrue();
            assertThat(shared.limit()).isEqualTo(100);
            assertThat(redis.connection().sync().exists(RateLimitKeys.organization(organizationId, POLICY))).isEqualTo(1L);
        }
    }
}
