package dev.relaygate.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
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

/**
 * Monthly quotas and per-key caps in the limiter, on a real Redis, with the clock under the test's control:
 * what is admitted, what is refused and until when, and what Redis holds (docs/usage-and-quotas.md, "Quotas").
 */
class QuotaLimiterIT {

    private static final Logger log = LoggerFactory.getLogger(QuotaLimiterIT.class);


    private static final RateLimitProperties PROPERTIES =
        RateLimitProperties.defaults().withCommandTimeout(Duration.ofSeconds(2));

    /** A bucket far larger than any quota here: only the quotas refuse. */
    private static final RateLimitPolicy ROOMY = new RateLimitPolicy(10_000, 50_000, 600_000);

    private static String url;
    private static RedisMode mode;
    private static RateLimitRedis redis;
    private static RedisCommandStats stats;

    private final TestClock clock = new TestClock();
    private final RedisRateLimiter limiter = new RedisRateLimiter(redis, PROPERTIES, clock, new SimpleMeterRegistry());
    private final String organizationId = "org-" + UUID.randomUUID();

    @BeforeAll
    static void connect() {
        connect(TestRedis.url(), RedisMode.STANDALONE, new RedisCommandStats(TestRedis.url()));
    }

    /** The Redis under test: {@code url} deployed as {@code mode}, read through {@code commandStats}. */
    static void connect(String redisUrl, RedisMode redisMode, RedisCommandStats commandStats) {
        url = redisUrl;
        mode = redisMode;
        redis = RateLimitRedis.connect(url, mode, PROPERTIES);
        stats = commandStats;
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
    void refusesWhatWouldPassTheMonthlyQuotaUntilTheMonthEnds() {
        long admitted = 0;
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofMillis(50));
            RateLimitDecision decision = limiter.consume(organizationId, ROOMY, 1_000, KeyCaps.NONE, 100).block();
            assertThat(decision.allowed()).isTrue();
            admitted += 100;
            assertThat(decision.quota().used()).isEqualTo(admitted);
            assertThat(decision.quota().limit()).isEqualTo(1_000);
        }

        RateLimitDecision refused = limiter.consume(organizationId, ROOMY, 1_000, KeyCaps.NONE, 1).block();

        long nowMillis = clock.currentTimeNanos() / 1_000_000L;
        long monthEnd = firstOfNextMonth(nowMillis);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.refusedBy()).isEqualTo(RateLimitDecision.Limit.ORGANIZATION_MONTHLY);
        assertThat(refused.quota().used()).isEqualTo(1_000);
        assertThat(refused.quota().resetAtMillis()).isEqualTo(monthEnd);
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofMillis(monthEnd - nowMillis));

        // The next month starts from zero.
        clock.advance(Duration.ofMillis(monthEnd - nowMillis));
        RateLimitDecision nextMonth = limiter.consume(organizationId, ROOMY, 1_000, KeyCaps.NONE, 100).block();
        assertThat(nextMonth.allowed()).isTrue();
        assertThat(nextMonth.quota().used()).isEqualTo(100);
    }

    @Test
    void theMonthlyCounterLivesInRedisUntilADayAfterTheMonth() {
        limiter.consume(organizationId, ROOMY, 1_000_000, KeyCaps.NONE, 100).block();
        // More than this instance's unsynchronised allowance (500 CU): this request syncs, and its sync carries the
        // first one's units (the first sync ran before they were admitted).
        limiter.consume(organizationId, ROOMY, 1_000_000, KeyCaps.NONE, 600).block();

        long nowMillis = clock.currentTimeNanos() / 1_000_000L;
        String counter = RateLimitKeys.organizationQuota(organizationId, QuotaPeriods.month(nowMillis).id());
        assertThat(stats.get(counter)).isEqualTo("100");
        long expectedExpiry = firstOfNextMonth(nowMillis) + 86_400_000L;
        long expiresAt = System.currentTimeMillis() + stats.ttlMillis(counter);
        assertThat(expiresAt).isBetween(expectedExpiry - 5_000, expectedExpiry + 5_000);
    }

    @Test
    void twoInstancesTogetherPassTheQuotaByNoMoreThanTheDocumentedBound() {
        // Two gateways (two connections, each with instance count 1: an allowance of 500 CU each), alternating
        // 10 CU requests, 10 ms apart: each learns the other's spending at its next sync.
        long quota = 20_000;
        long cost = 10;
        try (RateLimitRedis otherRedis = RateLimitRedis.connect(url, mode, PROPERTIES);
             RedisRateLimiter other = new RedisRateLimiter(otherRedis, PROPERTIES, clock, new SimpleMeterRegistry())) {
            List<RedisRateLimiter> instances = List.of(limiter, other);
            long admitted = 0;
            int refusedInARow = 0;
            for (int i = 0; refusedInARow < 20; i++) {
                clock.advance(Duration.ofMillis(10));
                RateLimitDecision decision = instances.get(i % 2)
                    .consume(organizationId, ROOMY, quota, KeyCaps.NONE, cost).block();
                if (decision.allowed()) {
                    admitted += cost;
                    refusedInARow = 0;
                }
                else {
                    assertThat(decision.refusedBy()).isEqualTo(RateLimitDecision.Limit.ORGANIZATION_MONTHLY);
                    refusedInARow++;
                }
            }

            long bound = 2 * (RedisRateLimiter.unsynchronizedTokens(ROOMY, PROPERTIES) + cost);
            log.info("two instances, quota {}: admitted {} (overshoot {}, bound {})", quota, admitted,
                admitted - quota, bound);
            assertThat(admitted).isBetween(quota - cost, quota + bound);
        }
    }

    @Test
    void aKeyOverItsDailyCapIsRefusedWhileASiblingKeyOfTheOrganizationStillWorks() {
        KeyCaps capped = KeyCaps.of("key-" + UUID.randomUUID(), 0, 100, 0);
        KeyCaps sibling = KeyCaps.NONE;
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofMillis(20));
            assertThat(limiter.consume(organizationId, ROOMY, 0, capped, 10).block().allowed()).isTrue();
        }

        RateLimitDecision refused = limiter.consume(organizationId, ROOMY, 0, capped, 10).block();
        RateLimitDecision siblingDecision = limiter.consume(organizationId, ROOMY, 0, sibling, 10).block();

        long nowMillis = clock.currentTimeNanos() / 1_000_000L;
        long dayEnd = QuotaPeriods.day(nowMillis).endMillis();
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.refusedBy()).isEqualTo(RateLimitDecision.Limit.KEY_DAILY);
        assertThat(refused.quota().limit()).isEqualTo(100);
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofMillis(dayEnd - nowMillis));
        assertThat(siblingDecision.allowed()).isTrue();

        clock.advance(Duration.ofMillis(dayEnd - nowMillis));
        assertThat(limiter.consume(organizationId, ROOMY, 0, capped, 10).block().allowed())
            .as("a new day").isTrue();
    }

    @Test
    void aKeyOverItsMonthlyCapIsRefused() {
        KeyCaps capped = KeyCaps.of("key-" + UUID.randomUUID(), 0, 0, 50);
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.consume(organizationId, ROOMY, 0, capped, 10).block().allowed()).isTrue();
        }

        RateLimitDecision refused = limiter.consume(organizationId, ROOMY, 0, capped, 10).block();

        assertThat(refused.refusedBy()).isEqualTo(RateLimitDecision.Limit.KEY_MONTHLY);
        assertThat(refused.quota().used()).isEqualTo(50);
    }

    @Test
    void aKeyWithARateOfItsOwnIsHeldToItInABucketOfItsOwn() {
        String keyId = "key-" + UUID.randomUUID();
        KeyCaps capped = KeyCaps.of(keyId, 20, 0, 0);
        assertThat(limiter.consume(organizationId, ROOMY, 0, capped, 10).block().allowed()).isTrue();
        assertThat(limiter.consume(organizationId, ROOMY, 0, capped, 10).block().allowed()).isTrue();

        RateLimitDecision refused = limiter.consume(organizationId, ROOMY, 0, capped, 10).block();

        assertThat(refused.allowed()).isFalse();
        assertThat(refused.refusedBy()).isEqualTo(RateLimitDecision.Limit.KEY_RATE);
        assertThat(refused.limit()).isEqualTo(20);
        assertThat(stats.exists(RateLimitKeys.key(keyId, 20))).isTrue();
        assertThat(limiter.consume(organizationId, ROOMY, 0, KeyCaps.NONE, 10).block().allowed())
            .as("a sibling key without a rate of its own").isTrue();
    }

    @Test
    void keysWithoutCapsAndPlansWithoutAQuotaTouchNoCounter() {
        for (int i = 0; i < 20; i++) {
            clock.advance(Duration.ofMillis(150));
            assertThat(limiter.consume(organizationId, ROOMY, 0, KeyCaps.NONE, 10).block().allowed()).isTrue();
        }

        assertThat(stats.keys("rg:q:org:{" + organizationId + "}:*")).isEmpty();
        assertThat(stats.keys("rg:q:key:{" + organizationId + "}:*")).isEmpty();
    }

    private static long firstOfNextMonth(long nowMillis) {
        LocalDate day = Instant.ofEpochMilli(nowMillis).atOffset(ZoneOffset.UTC).toLocalDate();
        return day.withDayOfMonth(1).plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }
}
