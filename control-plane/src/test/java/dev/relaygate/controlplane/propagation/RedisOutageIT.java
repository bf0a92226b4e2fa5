package dev.relaygate.controlplane.propagation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.relaygate.controlplane.key.ApiKeyFormat;
import dev.relaygate.controlplane.testsupport.IntegrationTest;
import dev.relaygate.controlplane.testsupport.TestRedis;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

/**
 * When Redis is unreachable a publication fails quietly for the caller but loudly for operators (log and
 * metric), and the snapshot stays in the outbox until a later round publishes it.
 */
class RedisOutageIT extends IntegrationTest {

    @Autowired
    private SnapshotOutbox outbox;

    @Autowired
    private OutboxRepublisher republisher;

    @Autowired
    private MeterRegistry meters;

    @Autowired
    private JsonMapper json;

    @Autowired
    private Clock appClock;

    @Test
    void aFailedPublicationIsCountedKeptAndRepublishedLater() throws Exception {
        SnapshotStore unreachable = new SnapshotStore(new RedisProperties(URI.create("redis://127.0.0.1:" + closedPort()), RedisMode.STANDALONE,
                Duration.ofMillis(200), Duration.ofMillis(200), Duration.ofMinutes(1)));
        SnapshotPublisher publisher = new SnapshotPublisher(unreachable, outbox, json, appClock, meters);
        String ref = UUID.randomUUID().toString().replace("-", "") + UUID.randomUUID().toString().replace("-", "");
        PendingSnapshot snapshot = new PendingSnapshot("rg:key:" + ref, PendingSnapshot.KEY, ref, 7,
                "{\"schema\":1,\"version\":7}");
        double failuresBefore = failures();
        outbox.enqueue(snapshot).block();

        try {
            StepVerifier.create(publisher.publish(List.of(snapshot))).verifyComplete();
        }
        finally {
            unreachable.destroy();
        }

        assertThat(failures()).isEqualTo(failuresBefore + 1);
        assertThat(outbox.pending(10_000).map(PendingSnapshot::redisKey).collectList().block())
            .contains(snapshot.redisKey());
        assertThat(redis().get(snapshot.redisKey())).isNull();

        republisher.drain().block();

        assertThat(redis().get(snapshot.redisKey())).isEqualTo(snapshot.payload());
        assertThat(outbox.pending(10_000).map(PendingSnapshot::redisKey).collectList().block())
            .doesNotContain(snapshot.redisKey());
    }

    @Test
    void keyCreationSucceedsWhileRedisDoesNotAnswerAndIsPublishedOnceItDoes() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        double failuresBefore = failures();
        // Every Redis client stalls for longer than the command timeout: Redis is there but does not answer.
        redis().clientPause(2_000);

        Map<String, Object> created = createKey(owner, org);

        String redisKey = "rg:key:" + ApiKeyFormat.sha256Hex((String) created.get("secret"));
        assertThat(failures()).isGreaterThan(failuresBefore);
        assertThat(outbox.pending(10_000).map(PendingSnapshot::redisKey).collectList().block()).contains(redisKey);
        // Retries fail while the pause lasts, then one round publishes and clears the outbox entry.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            republisher.drain().block();
            assertThat(outbox.pending(10_000).map(PendingSnapshot::redisKey).collectList().block())
                .doesNotContain(redisKey);
        });
        assertThat(redis().get(redisKey)).contains("\"status\":\"active\"");
    }

    @Test
    void anOlderSnapshotNeverReplacesANewerOne() {
        String key = "rg:key:" + UUID.randomUUID();
        redis().set(key, "{\"version\":5}");
        SnapshotStore store = new SnapshotStore(new RedisProperties(URI.create(TestRedis.url()), RedisMode.STANDALONE, Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofMinutes(1)));
        try {
            StepVerifier.create(store.write(key, "{\"version\":4}", 4)).expectNext(false).verifyComplete();
            StepVerifier.create(store.write(key, "{\"version\":6}", 6)).expectNext(true).verifyComplete();
        }
        finally {
            store.destroy();
        }
        assertThat(redis().get(key)).isEqualTo("{\"version\":6}");
    }

    private double failures() {
        var counter = meters.find(SnapshotPublisher.FAILURES_METRIC).tag("kind", "key").counter();
        return counter == null ? 0 : counter.count();
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
