package dev.relaygate.gateway.ratelimit;

import org.junit.jupiter.api.BeforeAll;

import dev.relaygate.gateway.config.RedisMode;
import dev.relaygate.gateway.testsupport.TestRedisCluster;

/**
 * {@link RedisRoundTripIT} on a Redis Cluster of three masters, its commands counted on every node: the bucket
 * script, with the quota counters and key caps it carries, runs by its SHA on the master of the organization's slot
 * (a script whose keys spanned slots would be refused with {@code CROSSSLOT} and the limiter would degrade), at most
 * one round trip per request on average.
 */
class RedisRoundTripOnClusterIT extends RedisRoundTripIT {

    /** Hides {@link RedisRoundTripIT#startRedis()}: this class runs on the cluster instead. */
    @BeforeAll
    static void startRedis() {
        TestRedisCluster cluster = TestRedisCluster.shared();
        connect(cluster.url(), RedisMode.CLUSTER, new RedisCommandStats(cluster.nodeUrls()));
    }
}
