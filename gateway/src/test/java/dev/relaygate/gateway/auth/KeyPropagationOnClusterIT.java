package dev.relaygate.gateway.auth;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.relaygate.gateway.testsupport.OnRedisCluster;
import dev.relaygate.gateway.testsupport.TestRedisCluster;

/**
 * {@link KeyPropagationIT} on a Redis Cluster of three masters: snapshots are read from the master of their slot,
 * and an invalidation published on the cluster reaches the gateway's subscription, which sits on one node.
 */
class KeyPropagationOnClusterIT extends KeyPropagationIT implements OnRedisCluster {

    @DynamicPropertySource
    static void onCluster(DynamicPropertyRegistry properties) {
        TestRedisCluster.shared().register(properties);
    }
}
