package dev.relaygate.gateway.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * The answer of a {@link RateLimiter}: whether a request may pass and what to tell the caller in the
 * {@code RateLimit-Limit}, {@code RateLimit-Remaining}, {@code RateLimit-Reset} and {@code Retry-After} headers.
 *
 * @param allowed      whether the request's compute units were taken
 * @param limit        the burst capacity the caller is held to, in compute units
 * @param remaining    compute units left in the tighter of the key and organization buckets
 * @param resetSeconds whole seconds (rounded up) until that bucket is full again
 * @param retryAfter   when refused, how long until the request's cost is available; zero when allowed.
 *                     A request costing more than the bucket can ever hold gets {@link #MAX_RETRY_AFTER}.
 */
public record RateLimitDecision(boolean allowed, long limit, long remaining, long resetSeconds, Duration retryAfter) {

    /** Upper bound on {@link #retryAfter()}: the longest refill period of any band. */
    public static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(1);

    public RateLimitDecision {
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (allowed && !retryAfter.isZero()) {
            throw new IllegalArgumentException("an allowed decision has no retry delay");
        }
    }

    /** {@link #retryAfter()} in whole seconds, rounded up, as the {@code Retry-After} header wants it. */
    public long retryAfterSeconds() {
        return ceilSeconds(retryAfter.toNanos());
    }

    static long ceilSeconds(long nanos) {
        if (nanos <= 0) {
            return 0;
        }
        return (nanos + 999_999_999L) / 1_000_000_000L;
    }
}
