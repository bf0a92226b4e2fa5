package dev.relaygate.gateway.ratelimit;

import org.junit.jupiter.api.BeforeAll;

import dev.relaygate.gateway.config.RedisMode;
import dev.relaygate.gateway.testsupport.TestRedisCluster;

/**
 * {@link QuotaLimiterIT} on a Redis Cluster of three masters: monthly quotas and key caps admit and refuse exactly
 * as on one server, their counters travelling in the organization bucket's script on the organization's slot.
 */
class QuotaLimiterOnClusterIT extends QuotaLimiterIT {

    /** Hides {@link QuotaLimiterIT#connect()}: this class runs on the cluster instead. */
    @BeforeAll
    static void connect() {
        TestRedisCluster cluster = TestRedisCluster.shared();
        connect(cluster.url(), RedisMode.CLUSTER, new RedisCommandStats(cluster.nodeUrls()));
    }
}
