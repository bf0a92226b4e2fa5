package dev.relaygate.gateway.ratelimit;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.DelayParameters;
import io.github.bucket4j.distributed.proxy.optimization.Optimization;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.lettuce.core.RedisConnectionException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Token buckets in Redis, one per organization, shared by every gateway instance, through bucket4j's async
 * proxy API over Lettuce.
 *
 * <p><b>Round trips.</b> {@link OneTripProxyManager} swaps a bucket's state in one round trip where bucket4j's own
 * Lettuce backend needs two. Each bucket proxy also uses bucket4j's <i>delaying</i> optimisation: it decides from
 * a local copy of the bucket and synchronises with Redis only when it has spent its part of the tolerated
 * overshoot ({@code band * maxOvershoot / instanceCount}), or after {@code maxUnsynchronizedTime}, or on first
 * use. Refusals are remembered until their retry time ({@link RefusalMemo}), so a client hammering past its limit
 * costs Redis nothing. The price is accuracy: all instances together may exceed a bucket by {@code maxOvershoot}
 * of its smallest band, and what they overspent is then owed by the bucket as debt (see
 * {@code docs/rate-limiting.md}).
 *
 * <p><b>Degraded mode.</b> Any Redis error or a decision slower than {@code commandTimeout} switches the limiter
 * to {@link LocalFallbackBuckets} (limits / instance count); it answers, never fails. A periodic PING detects
 * Redis's return and switches back. {@link #isDegraded()} and the gauge {@value #DEGRADED_METRIC} expose it.
 */
public final class RedisRateLimiter implements RateLimiter, AutoCloseable {

    /** 1 while decisions are made locally because Redis is slow or unreachable, else 0. */
    public static final String DEGRADED_METRIC = "relaygate.ratelimit.degraded";

    private static final Logger log = LoggerFactory.getLogger(RedisRateLimiter.class);

    private final RateLimitRedis redis;
    private final AsyncProxyManager<String> proxyManager;
    private final RateLimitProperties properties;
    private final Cache<String, AsyncBucketProxy> proxies;
    private final LocalFallbackBuckets fallback;
    private final RefusalMemo refusals;
    private final TimeMeter clock;
    private final AtomicBoolean degraded = new AtomicBoolean();
    private final AtomicReference<Disposable> probe = new AtomicReference<>();
    private volatile boolean closed;

    /**
     * @param redis      the limiter's Redis connection (short timeout, commands rejected while disconnected; may
     *                   still be connecting); not closed by this limiter
     * @param clock      bucket4j client-side clock; must be wall-clock based and agree across instances
     *                   ({@link TimeMeter#SYSTEM_MILLISECONDS} in production)
     */
    public RedisRateLimiter(RateLimitRedis redis, RateLimitProperties properties,
                            TimeMeter clock, MeterRegistry meterRegistry) {
        this.redis = Objects.requireNonNull(redis, "redis");
        this.properties = Objects.requireNonNull(properties, "properties");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.proxyManager = new OneTripProxyManager(redis::commands, clock,
            ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(properties.idleBucketExpiry()),
            properties.maxCachedBuckets(), properties.idleBucketExpiry())
            .asAsync();
        this.proxies = Caffeine.newBuilder()
            .maximumSize(properties.maxCachedBuckets())
            .expireAfterAccess(properties.idleBucketExpiry())
            .build();
        this.refusals = new RefusalMemo(properties.maxCachedBuckets());
        this.fallback = new LocalFallbackBuckets(clock, properties.instanceCount(), properties.maxCachedBuckets());
        Gauge.builder(DEGRADED_METRIC, degraded, flag -> flag.get() ? 1 : 0)
            .description("1 while rate limiting decides locally because Redis is slow or unreachable")
            .strongReference(true)
            .register(meterRegistry);
        if (!redis.isConnected()) {
            enterDegradedMode(new RedisConnectionException("not connected to Redis yet"));
        }
    }

    @Override
    public Mono<RateLimitDecision> consume(String organizationId, RateLimitPolicy policy, long cost) {
        Objects.requireNonNull(organizationId, "organizationId");
        Objects.requireNonNull(policy, "policy");
        if (cost < 1) {
            throw new IllegalArgumentException("cost must be at least 1: " + cost);
        }
        if (degraded.get()) {
            return Mono.just(fallback.consume(organizationId, policy, cost));
        }
        try {
            return consumeInRedis(organizationId, policy, cost);
        }
        catch (RuntimeException error) {
            return degrade(error, organizationId, policy, cost);
        }
    }

    /** Whether decisions are currently made locally; for the health indicator. */
    public boolean isDegraded() {
        return degraded.get();
    }

    private Mono<RateLimitDecision> consumeInRedis(String organizationId, RateLimitPolicy policy, long cost) {
        long limit = BucketShapes.limit(policy, 1);
        String bucket = RateLimitKeys.organization(organizationId, policy);
        long now = clock.currentTimeNanos();
        Optional<RateLimitDecision> known = refusals.recall(bucket, cost, now);
        if (known.isPresent()) {
            return Mono.just(known.get());
        }
        CompletableFuture<ConsumptionProbe> probe = proxy(bucket, policy).tryConsumeAndReturnRemaining(cost);
        if (probe.isDone() && !probe.isCompletedExceptionally()) {
            // Most checks are decided from bucket4j's local copy: answered at once, no timer, no operator.
            return Mono.just(decide(bucket, cost, now, limit, probe.join()));
        }
        // On timeout the copy fails, not bucket4j's own future (which other batched requests may wait on). A
        // CompletableFuture timeout rather than Reactor's timeout(), which names itself with a regex on every use.
        return Mono.fromFuture(probe.copy().orTimeout(properties.commandTimeout().toNanos(), TimeUnit.NANOSECONDS))
            .map(answered -> decide(bucket, cost, now, limit, answered))
            .onErrorResume(error -> degrade(error, organizationId, policy, cost));
    }

    private RateLimitDecision refused(String bucket, long cost, long now, RateLimitDecision decision) {
        refusals.remember(bucket, cost, now, decision);
        return decision;
    }

    /** The bucket's proxy; its name carries its shape ({@link RateLimitKeys}), so it has one configuration. */
    private AsyncBucketProxy proxy(String bucket, RateLimitPolicy policy) {
        return proxies.get(bucket, name -> {
            BucketConfiguration configuration = BucketShapes.configuration(policy, 1);
            return proxyManager.builder()
                .withOptimization(optimization(policy))
                .build(name, () -> CompletableFuture.completedFuture(configuration));
        });
    }

    /**
     * Delaying when the bucket is large enough to leave an instance at least one unsynchronised unit; otherwise
     * every check goes to Redis, and batching at least merges concurrent checks of the same bucket.
     */
    private Optimization optimization(RateLimitPolicy policy) {
        long unsynchronizedTokens = unsynchronizedTokens(policy, properties);
        if (unsynchronizedTokens < 1) {
            return Optimizations.batching();
        }
        return Optimizations.delaying(new DelayParameters(unsynchronizedTokens, properties.maxUnsynchronizedTime()));
    }

    /**
     * Units one instance may spend before it must synchronise: its part of the tolerated overshoot of the bucket's
     * smallest band, so that all instances together stay within {@code maxOvershoot}.
     */
    static long unsynchronizedTokens(RateLimitPolicy policy, RateLimitProperties properties) {
        long smallestBand = Math.min(policy.burstComputeUnits(), policy.computeUnitsPerMinute());
        return (long) Math.floor(smallestBand * properties.maxOvershoot() / properties.instanceCount());
    }

    private RateLimitDecision decide(String bucket, long cost, long now, long limit, ConsumptionProbe probe) {
        return probe.isConsumed()
            ? BucketShapes.allowed(limit, probe)
            : refused(bucket, cost, now, BucketShapes.refused(limit, probe));
    }

    private Mono<RateLimitDecision> degrade(Throwable error, String organizationId, RateLimitPolicy policy, long cost) {
        enterDegradedMode(error);
        return Mono.fromSupplier(() -> fallback.consume(organizationId, policy, cost));
    }

    private void enterDegradedMode(Throwable cause) {
        if (degraded.compareAndSet(false, true) && !closed) {
            log.warn("Rate limiting degraded to local buckets: Redis failed or exceeded {} ({})",
                properties.commandTimeout(), cause.toString());
            log.debug("Cause of degradation", cause);
            Disposable previous = probe.getAndSet(probeUntilRedisAnswers());
            if (previous != null) {
                previous.dispose();
            }
        }
    }

    private Disposable probeUntilRedisAnswers() {
        return Flux.interval(properties.probeInterval(), Schedulers.parallel())
            .onBackpressureDrop()
            .concatMap(tick -> Mono.fromCompletionStage(() -> redis.commands().ping())
                .timeout(properties.commandTimeout())
                .map(pong -> true)
                .onErrorReturn(false), 1)
            .filter(Boolean::booleanValue)
            .next()
            .subscribe(answered -> {
                degraded.set(false);
                log.info("Rate limiting back on Redis");
            });
    }

    /** Stops the probe; the connection belongs to the caller. */
    @Override
    public void close() {
        closed = true;
        Disposable current = probe.getAndSet(null);
        if (current != null) {
            current.dispose();
        }
    }
}
