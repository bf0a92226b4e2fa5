package dev.relaygate.gateway.ratelimit;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;

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

import dev.relaygate.gateway.io.Timers;

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
    private final Cache<String, BucketHandle> proxies;
    private final Cache<String, QuotaTally> tallies;
    private final LocalFallbackBuckets fallback;
    private final RefusalMemo refusals;
    private final BucketNames bucketNames = new BucketNames();
    /** One configuration per bucket shape, shared by the buckets of every organization on that plan. */
    private final Cache<RateLimitPolicy, BucketConfiguration> configurations =
        Caffeine.newBuilder().executor(Runnable::run).maximumSize(1_000).build();
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
        this.proxyManager = new OneTripProxyManager(redis::commands, this::tallyOf, clock,
            ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(properties.idleBucketExpiry()),
            properties.maxCachedBuckets(), properties.idleBucketExpiry())
            .asAsync();
        this.proxies = Caffeine.newBuilder()
            .executor(Runnable::run)
            .maximumSize(properties.maxCachedBuckets())
            .expireAfterAccess(properties.idleBucketExpiry())
            .build();
        this.tallies = Caffeine.newBuilder()
            .executor(Runnable::run)
            .maximumSize(properties.maxCachedBuckets())
            .expireAfterAccess(properties.idleBucketExpiry())
            .removalListener((String organization, QuotaTally tally, RemovalCause cause) -> flushDropped(tally))
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
    public Mono<RateLimitDecision> consume(String organizationId, RateLimitPolicy policy, long monthlyComputeUnits,
                                           KeyCaps keyCaps, long cost) {
        Objects.requireNonNull(organizationId, "organizationId");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(keyCaps, "keyCaps");
        if (cost < 1) {
            throw new IllegalArgumentException("cost must be at least 1: " + cost);
        }
        Admission admission = null;
        if (monthlyComputeUnits > 0 || keyCaps.hasCounters()) {
            // Quotas are decided here from this instance's counters, before any bucket: an exhausted quota costs
            // neither Redis nor bucket units. The counters travel to Redis with the organization bucket's sync.
            long nowMillis = clock.currentTimeNanos() / 1_000_000L;
            QuotaTally tally = tallies.get(organizationId, QuotaTally::new);
            RateLimitDecision exhausted = tally.refusal(monthlyComputeUnits, keyCaps, cost, nowMillis);
            if (exhausted != null) {
                return Mono.just(exhausted);
            }
            admission = new Admission(tally, monthlyComputeUnits, keyCaps, cost, nowMillis);
        }
        String organizationBucket = bucketNames.organization(organizationId, policy);
        if (!keyCaps.hasRate()) {
            return bucket(organizationBucket, policy, admission, cost);
        }
        Admission counting = admission;
        return bucket(RateLimitKeys.key(keyCaps.keyId(), keyCaps.computeUnitsPerSecond()), keyCaps.ratePolicy(), null,
                cost)
            .flatMap(keyDecision -> keyDecision.allowed() ? bucket(organizationBucket, policy, counting, cost)
                : Mono.just(keyDecision.refusedByKeyRate()));
    }

    /** Whether decisions are currently made locally; for the health indicator. */
    public boolean isDegraded() {
        return degraded.get();
    }

    /**
     * Takes {@code cost} from one bucket, in Redis or, while degraded, locally; {@code admission} (null without
     * quotas) counts what the bucket admitted. The organization bucket's sync carries its quota counters.
     */
    private Mono<RateLimitDecision> bucket(String bucket, RateLimitPolicy policy, Admission admission, long cost) {
        if (degraded.get()) {
            return Mono.just(counted(fallback.consumeFrom(bucket, policy, cost), admission));
        }
        try {
            return consumeInRedis(bucket, policy, admission, cost);
        }
        catch (RuntimeException error) {
            return degrade(error, bucket, policy, admission, cost);
        }
    }

    private Mono<RateLimitDecision> consumeInRedis(String bucket, RateLimitPolicy policy, Admission admission,
                                                   long cost) {
        long limit = BucketShapes.limit(policy, 1);
        long now = clock.currentTimeNanos();
        Optional<RateLimitDecision> known = refusals.recall(bucket, cost, now);
        if (known.isPresent()) {
            return Mono.just(counted(known.get(), admission));
        }
        CompletableFuture<ConsumptionProbe> probe = proxy(bucket, policy, admission).tryConsumeAndReturnRemaining(cost);
        if (probe.isDone() && !probe.isCompletedExceptionally()) {
            // Most checks are decided from bucket4j's local copy: answered at once, no timer, no operator.
            return Mono.just(counted(decide(bucket, cost, now, limit, probe.join()), admission));
        }
        // On timeout the copy fails, not bucket4j's own future (which other batched requests may wait on).
        return Mono.fromFuture(withTimeout(probe.copy(), properties.commandTimeout().toNanos()))
            .map(answered -> counted(decide(bucket, cost, now, limit, answered), admission))
            .onErrorResume(error -> degrade(error, bucket, policy, admission, cost));
    }

    /**
     * Fails {@code answer} with a {@link TimeoutException} unless it completes within {@code nanos}. The timer is a
     * task on the request's event loop ({@link Timers}): an entry in its queue, no other thread to wake, where
     * {@code CompletableFuture.orTimeout} hands every timer to one shared scheduler thread and wakes it (measured at
     * about 1 % of the gateway's CPU on a 2-core machine although few decisions wait for Redis). It is not cancelled
     * when the answer comes (on a Lettuce thread, where cancelling would have to wake the loop); firing after it, it
     * changes nothing. Reactor's {@code timeout()} is not used: it names itself with a regex on every use.
     */
    private static <T> CompletableFuture<T> withTimeout(CompletableFuture<T> answer, long nanos) {
        Timers.current().schedule(() -> {
            if (!answer.isDone()) {
                answer.completeExceptionally(new TimeoutException("no answer from Redis within the command timeout"));
            }
        }, nanos);
        return answer;
    }

    /**
     * The bucket's decision with the quotas applied: an admitted request is counted (unless the sync that decided
     * it has just shown a quota exhausted), and every answer carries the organization's quota state.
     */
    private static RateLimitDecision counted(RateLimitDecision decision, Admission admission) {
        if (admission == null) {
            return decision;
        }
        QuotaTally tally = admission.tally();
        if (!decision.allowed()) {
            return decision.withQuota(tally.state(admission.monthlyComputeUnits(), admission.nowMillis()));
        }
        RateLimitDecision exhausted = tally.refusal(admission.monthlyComputeUnits(), admission.keyCaps(),
            admission.cost(), admission.nowMillis());
        if (exhausted != null) {
            return exhausted;
        }
        return decision.withQuota(tally.admit(admission.monthlyComputeUnits(), admission.keyCaps(), admission.cost(),
            admission.nowMillis()));
    }

    private RateLimitDecision refused(String bucket, long cost, long now, RateLimitDecision decision) {
        refusals.remember(bucket, cost, now, decision);
        return decision;
    }

    /**
     * The bucket's proxy; its name carries its shape ({@link RateLimitKeys}), so it has one configuration. The
     * organization's quota tally rides on it: its next sync carries the tally's counters.
     */
    private AsyncBucketProxy proxy(String bucket, RateLimitPolicy policy, Admission admission) {
        BucketHandle handle = proxies.get(bucket, name -> {
            BucketConfiguration configuration =
                configurations.get(policy, shape -> BucketShapes.configuration(shape, 1));
            return new BucketHandle(proxyManager.builder()
                .withOptimization(optimization(policy))
                .build(name, () -> CompletableFuture.completedFuture(configuration)));
        });
        if (admission != null && handle.tally != admission.tally()) {
            handle.tally = admission.tally();
        }
        return handle.proxy;
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

    private Mono<RateLimitDecision> degrade(Throwable error, String bucket, RateLimitPolicy policy,
                                            Admission admission, long cost) {
        enterDegradedMode(error);
        return Mono.fromSupplier(() -> counted(fallback.consumeFrom(bucket, policy, cost), admission));
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

    /** The tally riding on a bucket's syncs, if any; asked by the proxy manager once per swap. */
    private QuotaTally tallyOf(String bucket) {
        BucketHandle handle = proxies.getIfPresent(bucket);
        return handle == null ? null : handle.tally;
    }

    /**
     * A tally dropped from memory (idle for {@code idleBucketExpiry}) may hold units no sync carried yet: they are
     * added to the counters in Redis directly, off the request path.
     */
    private void flushDropped(QuotaTally tally) {
        if (tally == null || !tally.hasPending() || degraded.get() || closed) {
            return;
        }
        QuotaTally.Carried carried = tally.take();
        if (carried == null) {
            return;
        }
        try {
            var commands = redis.commands();
            for (int i = 0; i < carried.taken().length; i++) {
                QuotaCounter counter = carried.counters().get(i);
                if (carried.taken()[i] > 0) {
                    commands.incrby(counter.name, carried.taken()[i]);
                    commands.expireat(counter.name, counter.period.expireAtSeconds());
                }
            }
        }
        catch (RuntimeException error) {
            log.warn("Quota units of an idle organization could not be sent to Redis ({})", error.toString());
        }
    }

    /** A bucket proxy and the quota tally its syncs carry (set by the requests that use it). */
    private static final class BucketHandle {

        final AsyncBucketProxy proxy;

        volatile QuotaTally tally;

        BucketHandle(AsyncBucketProxy proxy) {
            this.proxy = proxy;
        }
    }

    /** What a request adds to the quotas once a bucket admits it. */
    private record Admission(QuotaTally tally, long monthlyComputeUnits, KeyCaps keyCaps, long cost, long nowMillis) {
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
