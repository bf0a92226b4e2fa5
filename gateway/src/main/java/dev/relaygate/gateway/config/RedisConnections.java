package dev.relaygate.gateway.config;

import java.time.Duration;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import reactor.core.publisher.Mono;

/**
 * The gateway's Redis client and its one shared command connection. Commands time out quickly and are
 * rejected while disconnected (no unbounded queue, no replay of stale writes after a reconnect); Lettuce
 * reconnects by itself. Connecting is lazy and retried on the next use, so the gateway starts, and serves
 * cached keys, while Redis is down.
 */
public final class RedisConnections implements AutoCloseable {

    private final RedisClient client;

    private final RedisURI uri;

    private final Mono<StatefulRedisConnection<String, String>> connection;

    public RedisConnections(RedisProperties properties, ClientResources resources) {
        this.uri = RedisURI.create(properties.url());
        this.uri.setTimeout(properties.commandTimeout());
        this.client = RedisClient.create(resources, uri);
        this.client.setOptions(ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(properties.commandTimeout()))
            .socketOptions(SocketOptions.builder().connectTimeout(properties.connectTimeout()).keepAlive(true).build())
            .build());
        this.connection = Mono.fromCompletionStage(() -> client.connectAsync(StringCodec.UTF8, uri))
            .cache(connected -> Duration.ofMillis(Long.MAX_VALUE), failed -> Duration.ZERO, () -> Duration.ZERO);
    }

    /** The client, for connections of their own (pub/sub, buckets). */
    public RedisClient client() {
        return client;
    }

    public RedisURI uri() {
        return uri;
    }

    /** Reactive commands on the shared connection; errors when Redis cannot be reached. */
    public Mono<RedisReactiveCommands<String, String>> commands() {
        return connection.map(StatefulRedisConnection::reactive);
    }

    @Override
    public void close() {
        client.shutdownAsync();
    }
}
