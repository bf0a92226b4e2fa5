package dev.relaygate.controlplane.propagation;

/** How the Redis at {@code relaygate.redis.url} is deployed, which decides the Lettuce client (docs/redis.md). */
public enum RedisMode {

    /** One server, or a master that Sentinel watches ({@code redis-sentinel://}): Lettuce's {@code RedisClient}. */
    STANDALONE,

    /**
     * A Redis Cluster, the URL naming one of its nodes: Lettuce's {@code RedisClusterClient}, which sends each
     * command to the master of its key's slot.
     */
    CLUSTER
}
