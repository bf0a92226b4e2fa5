package dev.relaygate.controlplane.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.springframework.test.context.DynamicPropertyRegistry;

import redis.embedded.RedisServer;

import static org.awaitility.Awaitility.await;

/**
 * A real Redis Cluster of three masters (no replicas) for tests, from the embedded {@code redis-server} binary the
 * other tests use, started once per test JVM on free loopback ports. The cluster is formed the way an operator
 * would with {@code redis-cli --cluster create}, but through Lettuce: each node takes a third of the 16384 slots
 * ({@code CLUSTER ADDSLOTS}), the first meets the others ({@code CLUSTER MEET}), and the cluster is ready when
 * every node reports {@code cluster_state:ok} and knows all three.
 */
public final class TestRedisCluster {

    public static final int MASTERS = 3;

    private static final int SLOTS = 16384;

    /** A node also listens on its port + 10000 (the cluster bus); Redis 6.2 has no setting to move it. */
    private static final int BUS_OFFSET = 10000;

    private static TestRedisCluster shared;

    private final List<Integer> ports;

    private TestRedisCluster(List<Integer> ports) {
        this.ports = List.copyOf(ports);
    }

    /** The shared cluster, started on first use and stopped when the JVM exits. */
    public static synchronized TestRedisCluster shared() {
        if (shared == null) {
            shared = start();
        }
        return shared;
    }

    /** A node to start from, {@code redis://127.0.0.1:port}: what {@code relaygate.redis.url} names on a cluster. */
    public String url() {
        return nodeUrls().get(0);
    }

    /** Every master's URL, for reading each node's own state (commandstats, script cache). */
    public List<String> nodeUrls() {
        return ports.stream().map(port -> "redis://127.0.0.1:" + port).toList();
    }

    /**
     * Points the application of an {@link IntegrationTest} at this cluster ({@code relaygate.redis.mode=cluster},
     * and its URL through {@code test.redis.url}, which that base class reads).
     */
    public void register(DynamicPropertyRegistry properties) {
        properties.add("test.redis.url", this::url);
        properties.add("relaygate.redis.mode", () -> "cluster");
    }

    private static TestRedisCluster start() {
        Path directory;
        try {
            directory = Files.createTempDirectory("relaygate-redis-cluster");
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Integer> ports = new ArrayList<>();
        List<RedisServer> servers = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> servers.forEach(TestRedisCluster::stop),
            "test-redis-cluster-stop"));
        for (int i = 0; i < MASTERS; i++) {
            int port = freePortWithFreeBus(ports);
            try {
                RedisServer server = RedisServer.newRedisServer()
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("cluster-enabled yes")
                    .setting("cluster-config-file " + directory.resolve("nodes-" + port + ".conf"))
                    .setting("cluster-node-timeout 5000")
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .onShutdownForceStop(true)
                    .build();
                servers.add(server);
                server.start();
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ports.add(port);
        }
        form(ports);
        return new TestRedisCluster(ports);
    }

    private static void form(List<Integer> ports) {
        List<RedisClient> clients = ports.stream().map(port -> RedisClient.create("redis://127.0.0.1:" + port)).toList();
        try {
            List<StatefulRedisConnection<String, String>> nodes = clients.stream().map(RedisClient::connect).toList();
            for (int i = 0; i < MASTERS; i++) {
                int[] slots = IntStream.range(i * SLOTS / MASTERS, (i + 1) * SLOTS / MASTERS).toArray();
                nodes.get(i).sync().clusterAddSlots(slots);
            }
            for (int i = 1; i < MASTERS; i++) {
                nodes.get(0).sync().clusterMeet("127.0.0.1", ports.get(i));
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                nodes.stream().map(node -> node.sync().clusterInfo()).allMatch(info ->
                    info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:" + MASTERS)));
            nodes.forEach(StatefulRedisConnection::close);
        }
        finally {
            clients.forEach(RedisClient::shutdown);
        }
    }

    private static int freePortWithFreeBus(List<Integer> taken) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 30_000);
            if (!taken.contains(port) && bindable(port) && bindable(port + BUS_OFFSET)) {
                return port;
            }
        }
        throw new IllegalStateException("no free pair of ports (node, node + " + BUS_OFFSET + ") found");
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        }
        catch (IOException busy) {
            return false;
        }
    }

    private static void stop(RedisServer server) {
        try {
            server.stop();
        }
        catch (IOException ignored) {
            // The JVM is exiting.
        }
    }
}
