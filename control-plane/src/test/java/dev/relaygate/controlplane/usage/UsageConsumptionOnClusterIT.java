package dev.relaygate.controlplane.usage;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.relaygate.controlplane.testsupport.OnRedisCluster;
import dev.relaygate.controlplane.testsupport.TestRedisCluster;

/**
 * {@link UsageConsumptionIT} on a Redis Cluster of three masters: the consumer group reads, takes over,
 * acknowledges and trims {@code rg:usage} on the master of its slot, and every batch is counted exactly once.
 */
class UsageConsumptionOnClusterIT extends UsageConsumptionIT implements OnRedisCluster {

    @DynamicPropertySource
    static void onCluster(DynamicPropertyRegistry properties) {
        TestRedisCluster.shared().register(properties);
    }
}
