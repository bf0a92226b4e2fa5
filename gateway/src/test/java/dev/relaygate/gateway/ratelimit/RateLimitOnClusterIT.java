package dev.relaygate.gateway.ratelimit;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.relaygate.gateway.testsupport.OnRedisCluster;
import dev.relaygate.gateway.testsupport.TestRedisCluster;

/** {@link RateLimitIT} through a whole gateway on a Redis Cluster of three masters. */
class RateLimitOnClusterIT extends RateLimitIT implements OnRedisCluster {

    @DynamicPropertySource
    static void onCluster(DynamicPropertyRegistry properties) {
        TestRedisCluster.shared().register(properties);
    }
}
