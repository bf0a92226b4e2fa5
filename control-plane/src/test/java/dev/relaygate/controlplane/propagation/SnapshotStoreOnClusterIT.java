package dev.relaygate.controlplane.propagation;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import dev.relaygate.controlplane.testsupport.Invalidations;
import dev.relaygate.controlplane.testsupport.TestRedisCluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Snapshot publication on a Redis Cluster of three masters: the write-if-not-older script runs on the master of
 * each snapshot's slot, whichever master that is, and an announcement reaches a subscriber on every node (classic
 * pub/sub is broadcast over the cluster bus), so a gateway hears it wherever it subscribed.
 */
class SnapshotStoreOnClusterIT {

    private final TestRedisCluster cluster = TestRedisCluster.shared();

    private SnapshotStore store;

    private RedisClusterClient client;

    private StatefulRedisClusterConnection<String, String> redis;

    @BeforeEach
    void connect() {
        store = new SnapshotStore(new RedisProperties(URI.create(cluster.url()), RedisMode.CLUSTER,
                Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMinutes(1)));
        client = RedisClusterClient.create(cluster.url());
        redis = client.connect();
    }

    @AfterEach
    void disconnect() {
        store.destroy();
        redis.close();
        client.shutdown();
    }

    @Test
    void anOlderSnapshotNeverReplacesANewerOneOnEveryMaster() {
        // Thirty snapshots land in slots of all three masters.
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            keys.add(RedisNames.keySnapshot(UUID.randomUUID().toString().replace("-", "")));
        }
        assertThat(keys.stream().map(key -> redis.sync().clusterKeyslot(key))
            .map(slot -> redis.getPartitions().getPartitionBySlot(slot.intValue()).getNodeId()).distinct())
            .hasSize(TestRedisCluster.MASTERS);

        for (String key : keys) {
            redis.sync().set(key, "{\"version\":5}");
            StepVerifier.create(store.write(key, "{\"version\":4}", 4)).expectNext(false).verifyComplete();
            StepVerifier.create(store.write(key, "{\"version\":6}", 6)).expectNext(true).verifyComplete();
            assertThat(redis.sync().get(key)).isEqualTo("{\"version\":6}");
        }
    }

    @Test
    void anAnnouncementReachesASubscriberOnEveryNode() {
        List<RedisClient> nodeClients = cluster.nodeUrls().stream().map(RedisClient::create).toList();
        List<Invalidations> subscribers = nodeClients.stream().map(Invalidations::new).toList();
        try {
            String message = "{\"schema\":1,\"kind\":\"key\",\"id\":\"" + UUID.randomUUID() + "\",\"version\":2}";

            StepVerifier.create(store.announce(message)).verifyComplete();

            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(subscribers).allMatch(subscriber -> subscriber.messages().contains(message)));
        }
        finally {
            subscribers.forEach(Invalidations::close);
            nodeClients.forEach(RedisClient::shutdown);
        }
    }
}
