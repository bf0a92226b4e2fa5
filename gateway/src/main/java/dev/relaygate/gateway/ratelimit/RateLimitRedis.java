package dev.relaygate.gateway.ratelimit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;

/**
 * The rate limiter's own Redis connection, configured to fail fast rather than queue: a short command timeout,
 * commands rejected while disconnected (no unbounded queue, and no stale bucket writes replayed after a
 * reconnect), automatic reconnection with a capped back-off. Opened at start-up, closed at shutdown.
 */
public final class RateLimitRedis implements AutoCloseable {

    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, byte[]> connection;

    private RateLimitRedis(ClientResources resources, RedisClient client,
                           StatefulRedisConnection<String, byte[]> connection) {
        this.resources = resources;
        this.client = client;
        this.connection = connection;
    }

    /** Connects (blocking, start-up only) to {@code redisUrl}, e.g. {@code redis://127.0.0.1:6379}. */
    public static RateLimitRedis connect(String redisUrl, RateLimitProperties properties) {
        ClientResources resources = DefaultClientResources.builder()
            .reconnectDelay(Delay.exponential(Duration.ofMillis(10), properties.reconnectDelayMax(), 2,
                TimeUnit.MILLISECONDS))
            .build();
        RedisClient client = RedisClient.create(resources, RedisURI.create(redisUrl));
        client.setOptions(clientOptions(properties));
        StatefulRedisConnection<String, byte[]> connection =
            client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        return new RateLimitRedis(resources, client, connection);
    }

    static ClientOptions clientOptions(RateLimitProperties properties) {
        return ClientOptions.builder()
            .timeoutOptions(TimeoutOptions.enabled(properties.commandTimeout()))
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .autoReconnect(true)
            .build();
    }

    public StatefulRedisConnection<String, byte[]> connection() {
        return connection;
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
        resources.shutdown();
    }
}
