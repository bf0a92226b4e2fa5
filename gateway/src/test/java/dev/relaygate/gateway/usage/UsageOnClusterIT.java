package dev.relaygate.gateway.usage;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.relaygate.gateway.testsupport.OnRedisCluster;
import dev.relaygate.gateway.testsupport.TestRedisCluster;

/** {@link UsageIT} on a Redis Cluster of three masters: every call's usage reaches {@code rg:usage} there. */
class UsageOnClusterIT extends UsageIT implements OnRedisCluster {

    @DynamicPropertySource
    static void onCluster(DynamicPropertyRegistry properties) {
        TestRedisCluster.shared().register(properties);
    }
}
