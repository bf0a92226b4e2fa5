package dev.relaygate.gateway.ratelimit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
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

/**
 * The rate limiter's own Redis connection, configured to fail fast rather than queue: a short command timeout,
 * commands rejected while disconnected (no unbounded queue, and no stale bucket writes replayed after a
 * reconnect), automatic reconnection with a capped back-off.
 *
 * <p>Redis need not be up when the gateway starts: if the first attempt fails, connecting goes on in the
 * background (same back-off) and {@link #commands()} fails until it succeeds, which the limiter treats like any
 * other Redis failure (local buckets, degraded). Opened at start-up, closed at shutdown.
 */
public final class RateLimitRedis implements AutoCloseable {

    /** Bound on one connection attempt, so that a black-holed Redis does not hold up start-up. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(RateLimitRedis.class);

    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private final ClientResources resources;
    private final RedisClient client;
    private final RedisURI uri;
    private final AtomicReference<StatefulRedisConnection<String, byte[]>> connection = new AtomicReference<>();
    private volatile Disposable connecting;

    private RateLimitRedis(ClientResources resources, RedisClient client, RedisURI uri) {
        this.resources = resources;
        this.client = client;
        this.uri = uri;
    }

    /**
     * Connects to {@code redisUrl}, e.g. {@code redis://127.0.0.1:6379}: one blocking attempt (start-up only,
     * at most {@link #CONNECT_TIMEOUT}), then, if Redis is not there, attempts in the background.
     */
    public static RateLimitRedis connect(String redisUrl, RateLimitProperties properties) {
        ClientResources resources = DefaultClientResources.builder()
            .reconnectDelay(Delay.exponential(Duration.ofMillis(10), properties.reconnectDelayMax(), 2,
                TimeUnit.MILLISECONDS))
            .build();
        RedisURI uri = RedisURI.create(redisUrl);
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(clientOptions(properties));
        RateLimitRedis redis = new RateLimitRedis(resources, client, uri);
        try {
            redis.connection.set(client.connect(CODEC, uri));
        }
        catch (RedisException e) {
            log.warn("Rate limiting starts on local buckets: Redis at {} is not reachable ({}); connecting in the "
                + "background", uri.getHost() + ":" + uri.getPort(), e.toString());
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
        connecting = Mono.fromCompletionStage(() -> client.connectAsync(CODEC, uri))
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
    public RedisAsyncCommands<String, byte[]> commands() {
        return connection().async();
    }

    /** The connection; fails with {@link RedisConnectionException} until Redis was reached once. */
    public StatefulRedisConnection<String, byte[]> connection() {
        StatefulRedisConnection<String, byte[]> current = connection.get();
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
        StatefulRedisConnection<String, byte[]> current = connection.get();
        if (current != null) {
            current.close();
        }
        client.shutdown();
        resources.shutdown();
    }
}
