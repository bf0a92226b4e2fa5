package dev.relaygate.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class LocalFallbackBucketsTest {

    private final TestClock clock = new TestClock();
    private final LocalFallbackBuckets buckets = new LocalFallbackBuckets(clock, 4, 1_000);
    private final RateLimitPolicy policy = new RateLimitPolicy(40, 400, 24_000);

    @Test
    void holdsThePlanDividedByTheInstanceCount() {
        long admitted = 0;
        for (int i = 0; i < 200; i++) {
            admitted += buckets.consume("o1", policy, 1).allowed() ? 1 : 0;
        }

        assertThat(admitted).isEqualTo(100);
        RateLimitDecision refused = buckets.consume("o1", policy, 1);
        assertThat(refused.limit()).isEqualTo(100);
        // 40 CU/s over 4 instances: one unit every 100 ms.
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void refillsAtTheInstancesShareOfTheRate() {
        buckets.consume("o1", policy, 100);

        clock.advance(Duration.ofSeconds(1));

        assertThat(buckets.consume("o1", policy, 10).allowed()).isTrue();
        assertThat(buckets.consume("o1", policy, 1).allowed()).isFalse();
    }

    @Test
    void keepsEachOrganizationInABucketOfItsOwn() {
        buckets.consume("o1", policy, 100);

        RateLimitDecision refused = buckets.consume("o1", policy, 60);

        assertThat(refused.allowed()).isFalse();
        assertThat(buckets.consume("o2", policy, 100).allowed()).isTrue();
    }
}
