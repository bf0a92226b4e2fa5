package dev.relaygate.gateway.ratelimit;

import dev.relaygate.gateway.config.RedisMode;
import dev.relaygate.gateway.testsupport.TestRedisCluster;

/** {@link SharedLimitIT} on a Redis Cluster of three masters: two instances still admit one limit between them. */
class SharedLimitOnClusterIT extends SharedLimitIT {

    @Override
    RateLimitRedis connect(RateLimitProperties properties) {
        return RateLimitRedis.connect(TestRedisCluster.shared().url(), RedisMode.CLUSTER, properties);
    }
}
