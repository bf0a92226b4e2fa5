package dev.relaygate.gateway.config;

/**
 * How the Redis at {@code relaygate.redis.url} is deployed, which decides the Lettuce client that talks to it
 * (docs/redis.md).
 */
public enum RedisMode {

    /**
     * One server ({@code redis://}, {@code rediss://}), or a master that Sentinel watches and fails over
     * ({@code redis-sentinel://}): Lettuce's {@code RedisClient}.
     */
    STANDALONE,

    /**
     * A Redis Cluster: the URL names one of its nodes (any will do; Lettuce learns the others and the slot map from
     * it): Lettuce's {@code RedisClusterClient}, which sends each command to the master of its key's slot.
     */
    CLUSTER
}
