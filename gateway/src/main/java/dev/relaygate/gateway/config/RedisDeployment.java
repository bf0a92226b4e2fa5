package dev.relaygate.gateway.config;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;

/**
 * A Lettuce client for the configured Redis ({@link RedisMode}): {@link RedisClient} for a server or a
 * Sentinel-watched master, {@link RedisClusterClient} for a Redis Cluster. Each part of the gateway that needs
 * connections of its own (rate limiter, usage stream, snapshots and invalidations, response cache) creates one with
 * its own options, as it did with a {@code RedisClient}; the connections it opens are {@link RedisLink}s.
 *
 * <p>On a cluster the client also follows the topology: a {@code MOVED} or {@code ASK} answer, or a node that keeps
 * reconnecting (a failover), makes it reload the slot map at once, and it reloads it every
 * {@value #TOPOLOGY_REFRESH_SECONDS} s anyway, so that slots moved by a resharding or a replica promoted by a
 * failover are found without a restart (docs/redis.md).
 */
public final class RedisDeployment {

    static final long TOPOLOGY_REFRESH_SECONDS = 30;

    private final AbstractRedisClient client;

    private final RedisURI uri;

    private RedisDeployment(AbstractRedisClient client, RedisURI uri) {
        this.client = client;
        this.uri = uri;
    }

    /** A client with the gateway's Redis settings ({@code relaygate.redis.*}) and {@code options}. */
    public static RedisDeployment create(RedisProperties properties, Duration timeout, ClientResources resources,
            ClientOptions options) {
        return create(properties.url().toString(), properties.mode(), timeout, resources, options);
    }

    /**
     * A client for {@code url} deployed as {@code mode}. {@code timeout} is the URL's: the default of commands that
     * {@code options} do not time out otherwise, and the bound on a new connection's handshake, including those a
     * cluster client opens to read the topology.
     *
     * @param url {@code redis://host:port}, {@code rediss://…}, {@code redis-sentinel://host:port,host:port#master}
     *            (standalone only) or, for a cluster, one of its nodes
     */
    public static RedisDeployment create(String url, RedisMode mode, Duration timeout, ClientResources resources,
            ClientOptions options) {
        Objects.requireNonNull(mode, "mode");
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(timeout);
        if (mode == RedisMode.STANDALONE) {
            RedisClient client = RedisClient.create(resources, uri);
            client.setOptions(options);
            return new RedisDeployment(client, uri);
        }
        if (!uri.getSentinels().isEmpty()) {
            throw new IllegalArgumentException("A Redis Cluster is not reached through Sentinel: name one of its "
                + "nodes with redis:// or rediss://");
        }
        RedisClusterClient client = RedisClusterClient.create(resources, uri);
        client.setOptions(ClusterClientOptions.builder(options)
            .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                .enableAllAdaptiveRefreshTriggers()
                .enablePeriodicRefresh(Duration.ofSeconds(TOPOLOGY_REFRESH_SECONDS))
                .build())
            .build());
        return new RedisDeployment(client, uri);
    }

    public boolean isCluster() {
        return client instanceof RedisClusterClient;
    }

    /** Connects, blocking: start-up only. */
    public <V> RedisLink<V> connect(RedisCodec<String, V> codec) {
        return switch (client) {
            case RedisClusterClient cluster -> RedisLink.of(cluster.connect(codec));
            case RedisClient server -> RedisLink.of(server.connect(codec, uri));
            default -> throw new IllegalStateException("unknown client " + client);
        };
    }

    public <V> CompletableFuture<RedisLink<V>> connectAsync(RedisCodec<String, V> codec) {
        return switch (client) {
            case RedisClusterClient cluster -> topology(cluster)
                .thenCompose(loaded -> cluster.connectAsync(codec))
                .thenApply(RedisLink::of);
            case RedisClient server -> server.connectAsync(codec, uri).toCompletableFuture().thenApply(RedisLink::of);
            default -> throw new IllegalStateException("unknown client " + client);
        };
    }

    /**
     * A pub/sub connection. On a cluster it subscribes on one node: classic {@code PUBLISH} reaches every node of a
     * cluster, so one subscription hears what is published on any of them.
     */
    public CompletableFuture<StatefulRedisPubSubConnection<String, String>> connectPubSubAsync() {
        return switch (client) {
            case RedisClusterClient cluster -> topology(cluster)
                .thenCompose(loaded -> cluster.connectPubSubAsync(StringCodec.UTF8))
                .thenApply(connection -> (StatefulRedisPubSubConnection<String, String>) connection);
            case RedisClient server -> server.connectPubSubAsync(StringCodec.UTF8, uri).toCompletableFuture();
            default -> throw new IllegalStateException("unknown client " + client);
        };
    }

    /**
     * Loads the slot map without blocking: a cluster client connects asynchronously only once it has one. The first
     * call loads it, a later one (a reconnect after a failed attempt) reloads it, which is what a failed attempt
     * calls for anyway.
     */
    private static CompletableFuture<Void> topology(RedisClusterClient cluster) {
        return cluster.refreshPartitionsAsync().toCompletableFuture();
    }

    /** Told of every connection the client opens or loses. */
    public void addListener(RedisConnectionStateListener listener) {
        client.addListener(listener);
    }

    /** Where Redis is, for log lines: host and port of the URL (or of its first sentinel), never credentials. */
    public String address() {
        if (!uri.getSentinels().isEmpty()) {
            RedisURI sentinel = uri.getSentinels().get(0);
            return "sentinel " + sentinel.getHost() + ":" + sentinel.getPort() + " master " + uri.getSentinelMasterId();
        }
        return (isCluster() ? "cluster node " : "") + uri.getHost() + ":" + uri.getPort();
    }

    public void shutdown() {
        client.shutdown();
    }

    public CompletableFuture<Void> shutdownAsync() {
        return client.shutdownAsync();
    }
}
