package dev.relaygate.gateway.config;

import java.util.concurrent.CompletableFuture;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

/**
 * One connection to Redis, whatever its {@link RedisMode}: a server's connection or a cluster connection (which
 * routes each command to the master of its key's slot). Commands are typed by the interfaces both share, so code
 * written against a link works on either.
 */
public record RedisLink<V>(StatefulConnection<String, V> connection, RedisClusterAsyncCommands<String, V> async,
        RedisClusterReactiveCommands<String, V> reactive, RedisClusterCommands<String, V> sync) {

    static <V> RedisLink<V> of(StatefulRedisConnection<String, V> connection) {
        return new RedisLink<>(connection, connection.async(), connection.reactive(), connection.sync());
    }

    static <V> RedisLink<V> of(StatefulRedisClusterConnection<String, V> connection) {
        return new RedisLink<>(connection, connection.async(), connection.reactive(), connection.sync());
    }

    public void close() {
        connection.close();
    }

    public CompletableFuture<Void> closeAsync() {
        return connection.closeAsync();
    }
}
