package dev.relaygate.gateway.ratelimit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import dev.relaygate.gateway.config.RedisDeployment;
import dev.relaygate.gateway.config.RedisLink;
import dev.relaygate.gateway.config.RedisMode;

/**
 * The rate limiter's own Redis connection, configured to fail fast rather than queue: a short command timeout,
 * commands rejected while disconnected (no unbounded queue, and no stale bucket writes replayed after a
 * reconnect), automatic reconnection with a capped back-off.
 *
 * <p>Redis need not be up when the gateway starts: if the first attempt fails, connecting goes on in the
 * background (same back-off) and {@link #commands()} fails until it succeeds, which the limiter treats like any
 * other Redis failure (local buckets, degraded). Opened at start-up, closed at shutdown.
 *
 * <p>On a Redis Cluster it is a cluster connection: each script goes to the master of its keys' slot, which the
 * key names make one slot per organization ({@link RateLimitKeys}).
 */
public final class RateLimitRedis implements AutoCloseable {

    /** Bound on one connection attempt, so that a black-holed Redis does not hold up start-up. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(RateLimitRedis.class);

    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private final ClientResources resources;
    private final RedisDeployment client;
    private final AtomicReference<RedisLink<byte[]>> connection = new AtomicReference<>();
    private volatile Disposable connecting;

    private RateLimitRedis(ClientResources resources, RedisDeployment client) {
        this.resources = resources;
        this.client = client;
    }

    /** Connects to a standalone Redis at {@code redisUrl}, e.g. {@code redis://127.0.0.1:6379}. */
    public static RateLimitRedis connect(String redisUrl, RateLimitProperties properties) {
        return connect(redisUrl, RedisMode.STANDALONE, properties);
    }

    /**
     * Connects to the Redis at {@code redisUrl} deployed as {@code mode}: one blocking attempt (start-up only, at
     * most {@link #CONNECT_TIMEOUT}), then, if Redis is not there, attempts in the background.
     */
    public static RateLimitRedis connect(String redisUrl, RedisMode mode, RateLimitProperties properties) {
        ClientResources resources = DefaultClientResources.builder()
            .reconnectDelay(Delay.exponential(Duration.ofMillis(10), properties.reconnectDelayMax(), 2,
                TimeUnit.MILLISECONDS))
            .build();
        // Commands are bounded by commandTimeout (clientOptions); a handshake, and a cluster's topology reads, by the
        // connect timeout: 50 ms is too short for them on a busy machine.
        RedisDeployment client = RedisDeployment.create(redisUrl, mode, CONNECT_TIMEOUT, resources,
            clientOptions(properties));
        RateLimitRedis redis = new RateLimitRedis(resources, client);
        try {
            redis.connection.set(client.connect(CODEC));
        }
        catch (RedisException e) {
            log.warn("Rate limiting starts on local buckets: Redis at {} is not reachable ({}); connecting in the "
                + "background", client.address(), e.toString());
            redis.keepConnecting(properties.reconnectDelayMax());
        }
        return redis;
    }

    static ClientOptions clientOptions(RateLimitProperties properties) {
        return ClientOptions.builder()
            .timeoutOptions(TimeoutOptions.enabled(properties.commandTimeout()))
            .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .autoReconnect(true)
            .build();
    }

    private void keepConnecting(Duration maxBackoff) {
        connecting = Mono.fromCompletionStage(() -> client.connectAsync(CODEC))
            .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(100)).maxBackoff(maxBackoff))
            .subscribe(connected -> {
                connection.set(connected);
                log.info("Rate limiting connected to Redis");
            }, failure -> log.debug("Stopped connecting to Redis", failure));
    }

    /** Whether Redis was reached (the connection then reconnects by itself; it may be down right now). */
    public boolean isConnected() {
        return connection.get() != null;
    }

    /** Async commands on the connection; fails with {@link RedisConnectionException} until Redis was reached. */
    public RedisClusterAsyncCommands<String, byte[]> commands() {
        return connection().async();
    }

    /** The connection; fails with {@link RedisConnectionException} until Redis was reached once. */
    public RedisLink<byte[]> connection() {
        RedisLink<byte[]> current = connection.get();
        if (current == null) {
            throw new RedisConnectionException("not connected to Redis yet");
        }
        return current;
    }

    @Override
    public void close() {
        Disposable pending = connecting;
        if (pending != null) {
            pending.dispose();
        }
        RedisLink<byte[]> current = connection.get();
        if (current != null) {
            current.close();
        }
        client.shutdown();
        resources.shutdown();
    }
}
