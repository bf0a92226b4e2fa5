package dev.relaygate.controlplane.propagation;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import io.lettuce.core.codec.StringCodec;

/**
 * A Lettuce client for the configured Redis ({@link RedisMode}): {@link RedisClient} for a server or a
 * Sentinel-watched master, {@link RedisClusterClient} for a Redis Cluster, which follows the topology (reloads the
 * slot map on {@code MOVED}/{@code ASK} and repeated reconnects, and every {@value #TOPOLOGY_REFRESH_SECONDS} s).
 * Everything the control plane does in Redis works on either: snapshots are one key per script, invalidations are
 * classic pub/sub (which a cluster broadcasts to every node), and the usage stream is one key.
 */
public final class RedisDeployment {

    static final long TOPOLOGY_REFRESH_SECONDS = 30;

    /** A connection and its reactive commands, typed by what a server's and a cluster's connections share. */
    public record Link(StatefulConnection<String, String> connection,
            RedisClusterReactiveCommands<String, String> reactive) {
    }

    private final AbstractRedisClient client;

    private final RedisURI uri;

    private RedisDeployment(AbstractRedisClient client, RedisURI uri) {
        this.client = client;
        this.uri = uri;
    }

    /** A client for {@code properties}' Redis whose commands time out after {@code commandTimeout}. */
    public static RedisDeployment create(RedisProperties properties, Duration commandTimeout, ClientOptions options) {
        Objects.requireNonNull(properties.mode(), "mode");
        RedisURI uri = RedisURI.create(properties.url());
        uri.setTimeout(commandTimeout);
        if (properties.mode() == RedisMode.STANDALONE) {
            RedisClient client = RedisClient.create();
            client.setOptions(options);
            return new RedisDeployment(client, uri);
        }
        RedisClusterClient client = RedisClusterClient.create(uri);
        client.setOptions(ClusterClientOptions.builder(options)
            .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                .enableAllAdaptiveRefreshTriggers()
                .enablePeriodicRefresh(Duration.ofSeconds(TOPOLOGY_REFRESH_SECONDS))
                .build())
            .build());
        return new RedisDeployment(client, uri);
    }

    /**
     * Connects without blocking. A cluster client connects asynchronously only once it has the slot map, so it
     * loads it first (again on a later attempt, which is what a failed attempt calls for anyway).
     */
    public CompletableFuture<Link> connectAsync() {
        return switch (client) {
            case RedisClusterClient cluster -> cluster.refreshPartitionsAsync().toCompletableFuture()
                .thenCompose(loaded -> cluster.connectAsync(StringCodec.UTF8))
                .thenApply(connection -> new Link(connection, connection.reactive()));
            case RedisClient server -> server.connectAsync(StringCodec.UTF8, uri).toCompletableFuture()
                .thenApply(connection -> new Link(connection, connection.reactive()));
            default -> throw new IllegalStateException("unknown client " + client);
        };
    }

    public void shutdown(Duration quietPeriod, Duration timeout) {
        client.shutdown(quietPeriod, timeout);
    }
}
