package dev.relaygate.gateway.ratelimit;

import java.time.Duration;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;

/**
 * Turns a {@link RateLimitPolicy} into a bucket4j configuration, and bucket4j probes into a
 * {@link RateLimitDecision}. The one place that knows how a plan maps onto bands.
 */
final class BucketShapes {

    /** Band ids let bucket4j carry tokens over band by band when a plan changes. */
    static final String SECOND_BAND = "second";
    static final String MINUTE_BAND = "minute";

    private BucketShapes() {
    }

    /**
     * Two bands, both refilled greedily (continuously): the burst capacity refilled at the sustained rate, and the
     * per-minute allowance refilled over a minute. {@code divisor} &gt; 1 shapes an instance's local share.
     */
    static BucketConfiguration configuration(RateLimitPolicy policy, int divisor) {
        long burst = share(policy.burstComputeUnits(), divisor);
        long perSecond = share(policy.computeUnitsPerSecond(), divisor);
        long perMinute = share(policy.computeUnitsPerMinute(), divisor);
        return BucketConfiguration.builder()
            .addLimit(band -> band.capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)).id(SECOND_BAND))
            .addLimit(band -> band.capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)).id(MINUTE_BAND))
            .build();
    }

    /** The headline limit announced in {@code RateLimit-Limit}: the burst capacity (of this instance's share). */
    static long limit(RateLimitPolicy policy, int divisor) {
        return share(policy.burstComputeUnits(), divisor);
    }

    static long share(long value, int divisor) {
        return Math.max(1, value / divisor);
    }

    static RateLimitDecision allowed(long limit, ConsumptionProbe probe) {
        long remaining = probe.getRemainingTokens();
        long reset = probe.getNanosToWaitForReset();
        return new RateLimitDecision(true, limit, Math.max(0, remaining), RateLimitDecision.ceilSeconds(reset),
            Duration.ZERO);
    }

    static RateLimitDecision refused(long limit, ConsumptionProbe refusing) {
        long waitNanos = refusing.getNanosToWaitForRefill();
        Duration retryAfter = waitNanos >= RateLimitDecision.MAX_RETRY_AFTER.toNanos()
            ? RateLimitDecision.MAX_RETRY_AFTER
            : Duration.ofNanos(Math.max(1, waitNanos));
        long resetNanos = Math.max(refusing.getNanosToWaitForReset(), retryAfter.toNanos());
        return new RateLimitDecision(false, limit, Math.max(0, refusing.getRemainingTokens()),
            RateLimitDecision.ceilSeconds(Math.min(resetNanos, RateLimitDecision.MAX_RETRY_AFTER.toNanos())),
            retryAfter);
    }
}
