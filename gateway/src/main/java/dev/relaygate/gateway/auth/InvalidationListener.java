package dev.relaygate.gateway.auth;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import dev.relaygate.gateway.config.RedisConnections;

/**
 * Listens on {@code rg:invalidations} and evicts the snapshots the control plane announces as changed. Lettuce
 * re-subscribes after a reconnect, but announcements sent while disconnected are lost, so every (re)connect of
 * the subscription drops both caches: the next use of each key reads it afresh. On a Redis Cluster the subscription is on one node,
 * which hears what the control plane publishes on any node (classic pub/sub is broadcast over the cluster bus).
 */
public final class InvalidationListener implements SmartLifecycle {

    public static final String CHANNEL = "rg:invalidations";

    private static final Logger log = LoggerFactory.getLogger(InvalidationListener.class);

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Invalidation(int schema, String kind, String id, long version) {
    }

    private final RedisConnections redis;

    private final SnapshotCache<KeyHash, KeySnapshot> keys;

    private final SnapshotCache<String, PlanSnapshot> plans;

    private final JsonMapper json;

    private final List<SnapshotChanges> watchers = new CopyOnWriteArrayList<>();

    private volatile Disposable subscription;

    private volatile StatefulRedisPubSubConnection<String, String> connection;

    public InvalidationListener(RedisConnections redis, SnapshotCache<KeyHash, KeySnapshot> keys,
            SnapshotCache<String, PlanSnapshot> plans, JsonMapper json) {
        this.redis = redis;
        this.keys = keys;
        this.plans = plans;
        this.json = json;
    }

    /** Tells {@code watcher} of every change after the caches have forgotten it. */
    public void watch(SnapshotChanges watcher) {
        watchers.add(watcher);
    }

    @Override
    public void start() {
        redis.deployment().addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> channel, SocketAddress address) {
                // Only the subscription's (re)connects can have missed announcements. The client's other
                // connections do not count: on a cluster it opens one per node as keys first route there.
                if (!(channel instanceof StatefulRedisPubSubConnection<?, ?>)) {
                    return;
                }
                keys.invalidateAll();
                plans.invalidateAll();
                watchers.forEach(SnapshotChanges::allChanged);
            }
        });
        subscription = Mono.fromCompletionStage(() -> redis.deployment().connectPubSubAsync())
            .flatMap(pubSub -> {
                pubSub.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        apply(message);
                    }
                });
                return Mono.fromCompletionStage(pubSub.async().subscribe(CHANNEL)).thenReturn(pubSub);
            })
            .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(5)))
            .subscribe(pubSub -> {
                // Anything announced before the subscription took effect may have been missed.
                keys.invalidateAll();
                plans.invalidateAll();
                connection = pubSub;
                log.info("Listening for snapshot invalidations on {}", CHANNEL);
            });
    }

    void apply(String message) {
        Invalidation invalidation;
        try {
            invalidation = json.readValue(message, Invalidation.class);
        }
        catch (JacksonException e) {
            log.warn("Ignoring an unreadable invalidation message on {}", CHANNEL);
            return;
        }
        if (invalidation.id() == null) {
            return;
        }
        switch (String.valueOf(invalidation.kind())) {
            case "key" -> {
                KeyHash hash;
                try {
                    hash = KeyHash.parse(invalidation.id());
                }
                catch (IllegalArgumentException notAHash) {
                    log.warn("Ignoring a key invalidation on {} whose id is not a key hash", CHANNEL);
                    return;
                }
                keys.invalidate(hash, invalidation.version());
                watchers.forEach(watcher -> watcher.keyChanged(hash));
            }
            case "plan" -> {
                plans.invalidate(invalidation.id(), invalidation.version());
                watchers.forEach(watcher -> watcher.planChanged(invalidation.id()));
            }
            default -> log.debug("Ignoring an invalidation of kind {}", invalidation.kind());
        }
    }

    @Override
    public void stop() {
        Disposable running = subscription;
        if (running != null) {
            running.dispose();
        }
        StatefulRedisPubSubConnection<String, String> open = connection;
        if (open != null) {
            open.closeAsync();
        }
    }

    /**
     * Whether the subscription is in place and the caches were dropped once after it took effect: from then on
     * every announcement is heard, and nothing is dropped again until the subscription reconnects.
     */
    public boolean isListening() {
        return connection != null;
    }

    @Override
    public boolean isRunning() {
        return subscription != null && !subscription.isDisposed();
    }
}
