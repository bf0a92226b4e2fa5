package dev.relaygate.gateway.auth;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.ToLongFunction;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import dev.relaygate.gateway.config.KeyCacheProperties;

/**
 * An in-memory cache of one kind of snapshot in front of its {@link SnapshotSource}. Concurrent misses for one
 * id share one load. Found snapshots are refreshed in the background after {@code timeToLive} and, if the
 * refresh fails (Redis and control plane unreachable), kept: a key already seen keeps working through an
 * outage. Absent ids are remembered for {@code negativeTimeToLive}.
 *
 * @param <K> the id type: the {@link KeyHash} of a key, the id of a plan; its {@code toString()} is the id the
 *     {@link SnapshotSource} loads by
 * @param <T> the snapshot type
 */
public final class SnapshotCache<K, T> {

    /** A found snapshot outlives a failed refresh this much longer than its time to live. */
    private static final Duration STALE_GRACE = Duration.ofHours(1);

    /**
     * The value cached for an id that has no snapshot (kept for {@code negativeTimeToLive}). Snapshots are cached as
     * themselves, not in an {@code Optional}: 16 bytes less for each of up to 100,000 keys.
     */
    private static final Object ABSENT = new Object();

    private final AsyncLoadingCache<K, Object> cache;

    private final ToLongFunction<T> version;

    public SnapshotCache(SnapshotSource<T> source, KeyCacheProperties properties, ToLongFunction<T> version) {
        this(source, properties, version, (id, snapshot) -> snapshot);
    }

    /**
     * @param compact applied to each loaded snapshot with the id it is cached under, to share memory with the id
     */
    public SnapshotCache(SnapshotSource<T> source, KeyCacheProperties properties, ToLongFunction<T> version,
            BiFunction<K, T, T> compact) {
        this.version = version;
        long found = properties.timeToLive().plus(STALE_GRACE).toNanos();
        long absent = properties.negativeTimeToLive().toNanos();
        this.cache = Caffeine.newBuilder()
            .executor(Runnable::run)
            .maximumSize(properties.maximumSize())
            .recordStats()
            .refreshAfterWrite(properties.timeToLive())
            .expireAfter(new Expiry<K, Object>() {
                @Override
                public long expireAfterCreate(K id, Object value, long now) {
                    return value == ABSENT ? absent : found;
                }

                @Override
                public long expireAfterUpdate(K id, Object value, long now, long remaining) {
                    return value == ABSENT ? absent : found;
                }

                @Override
                public long expireAfterRead(K id, Object value, long now, long remaining) {
                    return remaining;
                }
            })
            .buildAsync((id, executor) -> {
                // A plain future rather than Mono#toFuture: it is kept for as long as the entry is (up to 100,000 of
                // them), and Reactor's keeps a subscription reference beside the value.
                CompletableFuture<Object> loaded = new CompletableFuture<>();
                source.load(id.toString())
                    .<Object>map(snapshot -> compact.apply(id, snapshot))
                    .defaultIfEmpty(ABSENT)
                    .subscribe(loaded::complete, loaded::completeExceptionally);
                return loaded;
            });
    }

    /**
     * Publishes the cache's size, hits, misses and loads as {@code cache.*} meters tagged {@code cache=name}
     * (docs/gateway-config.md lists them).
     */
    public void bindTo(MeterRegistry meters, String name) {
        CaffeineCacheMetrics.monitor(meters, cache, name);
    }

    /** The snapshot for {@code id}, empty when none exists; an error when it cannot be known now. */
    public Mono<T> find(K id) {
        return Mono.fromFuture(cache.get(id), true).flatMap(value -> Mono.justOrEmpty(snapshot(value)));
    }

    /**
     * The snapshot for {@code id} when the cache holds it already, without going through Reactor; {@code null} when it
     * is not known at once (being loaded, absent, failed), in which case {@link #find} answers. Starts a load on a
     * miss, as {@link #find} would.
     */
    public T cached(K id) {
        CompletableFuture<Object> entry = cache.getIfPresent(id);
        if (entry == null) {
            cache.get(id);
            return null;
        }
        if (entry.isDone() && !entry.isCompletedExceptionally()) {
            return snapshot(entry.getNow(ABSENT));
        }
        return null;
    }

    /**
     * Forgets {@code id} unless the cached snapshot is already at {@code changedVersion} or newer (an
     * announcement can arrive after a fresher read).
     */
    public void invalidate(K id, long changedVersion) {
        CompletableFuture<Object> cached = cache.getIfPresent(id);
        if (cached != null && cached.isDone() && !cached.isCompletedExceptionally()) {
            T snapshot = snapshot(cached.join());
            if (snapshot != null && version.applyAsLong(snapshot) >= changedVersion) {
                return;
            }
        }
        cache.synchronous().invalidate(id);
    }

    /** The snapshot a cached value holds; {@code null} for {@link #ABSENT}. */
    @SuppressWarnings("unchecked")
    private T snapshot(Object value) {
        return value == ABSENT ? null : (T) value;
    }

    /**
     * Forgets everything, after announcements may have been missed (a Redis reconnect). Returns at once and
     * clears on another thread: clearing waits for the cache's eviction lock, and the caller is typically
     * Lettuce's I/O thread, which must not wait (under BlockHound the wait failed the reconnect itself).
     */
    public void invalidateAll() {
        Schedulers.boundedElastic().schedule(() -> cache.synchronous().invalidateAll());
    }
}
