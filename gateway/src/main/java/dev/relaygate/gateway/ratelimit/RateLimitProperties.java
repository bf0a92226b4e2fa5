package dev.relaygate.gateway.ratelimit;

import java.time.Duration;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.relaygate.gateway.validation.PositiveDuration;

/**
 * Settings of the Redis token buckets and of the local fallback ({@code relaygate.ratelimit.*}),
 * each documented in {@code docs/rate-limiting.md}.
 *
 * @param commandTimeout           longest wait for Redis per decision; beyond it the decision is made locally
 * @param instanceCount            gateway instances sharing the limits; local fallback buckets hold limit / count
 * @param maxOvershoot             how far all instances together may exceed a bucket's smallest band before
 *                                 they synchronise with Redis, as a share of it; each instance may spend
 *                                 {@code band * maxOvershoot / instanceCount} units unsynchronised
 *                                 (accuracy vs. round trips)
 * @param maxUnsynchronizedTime    longest an instance decides from its local copy of a bucket without syncing
 * @param idleBucketExpiry         how long a bucket stays in Redis after it has refilled completely
 * @param probeInterval            while degraded, how often Redis is pinged to detect its return
 * @param reconnectDelayMax        cap of Lettuce's exponential reconnect back-off
 * @param maxCachedBuckets         bound on bucket proxies and fallback buckets held in memory
 */
@Validated
@ConfigurationProperties("relaygate.ratelimit")
public record RateLimitProperties(
    @DefaultValue("50ms") @NotNull @PositiveDuration Duration commandTimeout,
    @DefaultValue("1") @Min(1) int instanceCount,
    @DefaultValue("0.01") @DecimalMin("0.0") @DecimalMax("1.0") double maxOvershoot,
    @DefaultValue("100ms") @NotNull @PositiveDuration Duration maxUnsynchronizedTime,
    @DefaultValue("1m") @NotNull @PositiveDuration Duration idleBucketExpiry,
    @DefaultValue("250ms") @NotNull @PositiveDuration Duration probeInterval,
    @DefaultValue("1s") @NotNull @PositiveDuration Duration reconnectDelayMax,
    @DefaultValue("100000") @Min(1) long maxCachedBuckets) {

    public RateLimitProperties {
        commandTimeout = commandTimeout == null ? Duration.ofMillis(50) : commandTimeout;
        instanceCount = instanceCount == 0 ? 1 : instanceCount;
        maxUnsynchronizedTime = maxUnsynchronizedTime == null ? Duration.ofMillis(100) : maxUnsynchronizedTime;
        idleBucketExpiry = idleBucketExpiry == null ? Duration.ofMinutes(1) : idleBucketExpiry;
        probeInterval = probeInterval == null ? Duration.ofMillis(250) : probeInterval;
        reconnectDelayMax = reconnectDelayMax == null ? Duration.ofSeconds(1) : reconnectDelayMax;
        maxCachedBuckets = maxCachedBuckets == 0 ? 100_000 : maxCachedBuckets;
    }

    /** All defaults: 50 ms timeout, one instance, 1 % overshoot, 100 ms sync period. */
    public static RateLimitProperties defaults() {
        return new RateLimitProperties(null, 0, 0.01, null, null, null, null, 0);
    }

    public RateLimitProperties withCommandTimeout(Duration timeout) {
        return new RateLimitProperties(timeout, instanceCount, maxOvershoot, maxUnsynchronizedTime,
            idleBucketExpiry, probeInterval, reconnectDelayMax, maxCachedBuckets);
    }

    public RateLimitProperties withInstanceCount(int count) {
        return new RateLimitProperties(commandTimeout, count, maxOvershoot, maxUnsynchronizedTime,
            idleBucketExpiry, probeInterval, reconnectDelayMax, maxCachedBuckets);
    }

    public RateLimitProperties withMaxOvershoot(double overshoot) {
        return new RateLimitProperties(commandTimeout, instanceCount, overshoot, maxUnsynchronizedTime,
            idleBucketExpiry, probeInterval, reconnectDelayMax, maxCachedBuckets);
    }

    public RateLimitProperties withMaxUnsynchronizedTime(Duration time) {
        return new RateLimitProperties(commandTimeout, instanceCount, maxOvershoot, time,
            idleBucketExpiry, probeInterval, reconnectDelayMax, maxCachedBuckets);
    }
}
