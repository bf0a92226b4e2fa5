package dev.relaygate.gateway.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * The answer of a {@link RateLimiter}: whether a request may pass and what to tell the caller in the
 * {@code RateLimit-Limit}, {@code RateLimit-Remaining}, {@code RateLimit-Reset}, {@code Retry-After} and
 * {@code X-Relaygate-Quota-*} headers.
 *
 * @param allowed      whether the request's compute units were taken
 * @param limit        the burst capacity the caller is held to, in compute units
 * @param remaining    compute units left in the tighter of the key and organization buckets
 * @param resetSeconds whole seconds (rounded up) until that bucket is full again
 * @param retryAfter   when refused, how long until the request's cost is available; zero when allowed.
 *                     A request costing more than the bucket can ever hold gets {@link #MAX_RETRY_AFTER}; a
 *                     request refused by a quota waits until the quota's period resets.
 * @param refusedBy    which limit refused the request; {@link Limit#NONE} when allowed
 * @param quota        the organization's monthly quota after this request, or, for a refusal by a key's cap, that
 *                     cap; {@link QuotaState#NONE} when neither applies
 */
public record RateLimitDecision(boolean allowed, long limit, long remaining, long resetSeconds, Duration retryAfter,
        Limit refusedBy, QuotaState quota) {

    /** Upper bound on {@link #retryAfter()} for a bucket: the longest refill period of any band. */
    public static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(1);

    /** The limit behind a refusal. */
    public enum Limit {
        NONE,
        /** the organization's token bucket (its plan's rate) */
        RATE,
        /** the key's own compute units per second */
        KEY_RATE,
        /** the organization's monthly compute units (its plan's {@code monthlyComputeUnits}) */
        ORGANIZATION_MONTHLY,
        /** the key's daily compute-unit cap */
        KEY_DAILY,
        /** the key's monthly compute-unit cap */
        KEY_MONTHLY;

        /** Whether this is a period quota (monthly or daily) rather than a rate. */
        public boolean isQuota() {
            return this == ORGANIZATION_MONTHLY || this == KEY_DAILY || this == KEY_MONTHLY;
        }
    }

    /**
     * A period counter as the caller is told about it.
     *
     * @param used          compute units counted in the period, as far as this instance knows
     * @param limit         the period's allowance; 0 in {@link #NONE}
     * @param resetAtMillis when the period ends (epoch milliseconds, UTC)
     * @param resetSeconds  whole seconds (rounded up) until then
     */
    public record QuotaState(long used, long limit, long resetAtMillis, long resetSeconds) {

        public static final QuotaState NONE = new QuotaState(0, 0, 0, 0);

        public boolean present() {
            return limit > 0;
        }
    }

    public RateLimitDecision {
        Objects.requireNonNull(retryAfter, "retryAfter");
        Objects.requireNonNull(refusedBy, "refusedBy");
        Objects.requireNonNull(quota, "quota");
        if (allowed && !retryAfter.isZero()) {
            throw new IllegalArgumentException("an allowed decision has no retry delay");
        }
        if (allowed != (refusedBy == Limit.NONE)) {
            throw new IllegalArgumentException("a refusal names its limit, an allowed decision none");
        }
    }

    /** A decision of the organization's bucket alone. */
    public RateLimitDecision(boolean allowed, long limit, long remaining, long resetSeconds, Duration retryAfter) {
        this(allowed, limit, remaining, resetSeconds, retryAfter, allowed ? Limit.NONE : Limit.RATE, QuotaState.NONE);
    }

    /** {@link #retryAfter()} in whole seconds, rounded up, as the {@code Retry-After} header wants it. */
    public long retryAfterSeconds() {
        return ceilSeconds(retryAfter.toNanos());
    }

    RateLimitDecision withQuota(QuotaState state) {
        return new RateLimitDecision(allowed, limit, remaining, resetSeconds, retryAfter, refusedBy, state);
    }

    RateLimitDecision refusedByKeyRate() {
        return new RateLimitDecision(false, limit, remaining, resetSeconds, retryAfter, Limit.KEY_RATE, quota);
    }

    static long ceilSeconds(long nanos) {
        if (nanos <= 0) {
            return 0;
        }
        return (nanos + 999_999_999L) / 1_000_000_000L;
    }
}
