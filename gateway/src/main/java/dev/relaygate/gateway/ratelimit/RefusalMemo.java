package dev.relaygate.gateway.ratelimit;

import java.time.Duration;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Remembers, per bucket, the last refusal until the moment the caller was told to retry. No bucket refills
 * faster than its refusal said (other instances can only take more), so until then any request costing at least
 * as much is refused here without asking Redis: a client hammering past its limit costs Redis nothing.
 */
final class RefusalMemo {

    private final Cache<String, Refusal> refusals;

    RefusalMemo(long maxEntries) {
        this.refusals = Caffeine.newBuilder()
            .executor(Runnable::run)
            .maximumSize(maxEntries)
            .expireAfterWrite(RateLimitDecision.MAX_RETRY_AFTER.plusSeconds(1))
            .build();
    }

    /** A refusal to repeat for a request of {@code cost} at {@code nowNanos}, if one still holds. */
    Optional<RateLimitDecision> recall(String bucket, long cost, long nowNanos) {
        Refusal refusal = refusals.getIfPresent(bucket);
        if (refusal == null || cost < refusal.cost() || nowNanos >= refusal.retryAtNanos()) {
            return Optional.empty();
        }
        long waitNanos = refusal.retryAtNanos() - nowNanos;
        long resetNanos = Math.max(waitNanos, refusal.resetAtNanos() - nowNanos);
        return Optional.of(new RateLimitDecision(false, refusal.limit(), 0,
            RateLimitDecision.ceilSeconds(resetNanos), Duration.ofNanos(waitNanos)));
    }

    void remember(String bucket, long cost, long nowNanos, RateLimitDecision refused) {
        long retryAt = nowNanos + refused.retryAfter().toNanos();
        long resetAt = nowNanos + Duration.ofSeconds(refused.resetSeconds()).toNanos();
        refusals.put(bucket, new Refusal(cost, retryAt, resetAt, refused.limit()));
    }

    private record Refusal(long cost, long retryAtNanos, long resetAtNanos, long limit) {
    }
}
