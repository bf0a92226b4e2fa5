package dev.relaygate.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class RefusalMemoTest {

    private static final String BUCKET = "rg:rl:org:o1:660:330:12000";
    private static final long SECOND = 1_000_000_000L;

    private final RefusalMemo memo = new RefusalMemo(100);
    private final RateLimitDecision refusal = new RateLimitDecision(false, 660, 4, 2, Duration.ofMillis(800));

    @Test
    void repeatsARefusalUntilTheAnnouncedRetryTime() {
        memo.remember(BUCKET, 26, 10 * SECOND, refusal);

        RateLimitDecision repeated = memo.recall(BUCKET, 26, 10 * SECOND + 300_000_000L).orElseThrow();

        assertThat(repeated.allowed()).isFalse();
        assertThat(repeated.limit()).isEqualTo(660);
        assertThat(repeated.retryAfter()).isEqualTo(Duration.ofMillis(500));
        assertThat(repeated.resetSeconds()).isEqualTo(2);
    }

    @Test
    void repeatsItForDearerRequestsButNotForCheaperOnes() {
        memo.remember(BUCKET, 26, 10 * SECOND, refusal);

        assertThat(memo.recall(BUCKET, 75, 10 * SECOND)).isPresent();
        assertThat(memo.recall(BUCKET, 10, 10 * SECOND)).isEmpty();
    }

    @Test
    void forgetsItOnceTheRetryTimeHasCome() {
        memo.remember(BUCKET, 26, 10 * SECOND, refusal);

        assertThat(memo.recall(BUCKET, 26, 10 * SECOND + 800_000_000L)).isEmpty();
    }

    @Test
    void keepsRefusalsOfABucketOfAnotherShapeApart() {
        memo.remember(BUCKET, 26, 10 * SECOND, refusal);

        assertThat(memo.recall("rg:rl:org:o1:5000:2500:120000", 26, 10 * SECOND)).isEmpty();
    }
}
