package dev.relaygate.gateway.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Publishes key and plan snapshots into a real Redis as the control plane does (docs/architecture.md), built
 * from the contract examples in docs/contracts/, so gateway tests exercise the documented wire format.
 */
public final class Snapshots implements AutoCloseable {

    public static final String CHANNEL = "rg:invalidations";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final AbstractRedisClient client;

    private final StatefulConnection<String, String> connection;

    private final RedisClusterCommands<String, String> commands;

    /** The cluster connection when publishing into a cluster, else null. */
    private final StatefulRedisClusterConnection<String, String> cluster;

    /** Publishes into the Redis server at {@code redisUrl}. */
    public Snapshots(String redisUrl) {
        RedisClient server = RedisClient.create(redisUrl);
        StatefulRedisConnection<String, String> opened = server.connect();
        this.client = server;
        this.connection = opened;
        this.commands = opened.sync();
        this.cluster = null;
    }

    private Snapshots(RedisClusterClient cluster) {
        StatefulRedisClusterConnection<String, String> opened = cluster.connect();
        this.client = cluster;
        this.connection = opened;
        this.commands = opened.sync();
        this.cluster = opened;
    }

    /** Publishes into the Redis Cluster that {@code nodeUrl} belongs to, as a control plane on a cluster does. */
    public static Snapshots onCluster(String nodeUrl) {
        return new Snapshots(RedisClusterClient.create(nodeUrl));
    }

    public RedisClusterCommands<String, String> redis() {
        return commands;
    }

    /**
     * The contract example of a key snapshot, re-addressed to {@code hash}, with a fresh key id and organization
     * id so that tests never share rate-limit buckets, and without the example's restrictions and caps.
     */
    public static ObjectNode keySnapshot(String hash) {
        ObjectNode snapshot = (ObjectNode) contract("key-snapshot.json");
        snapshot.put("hash", hash);
        snapshot.put("keyId", UUID.randomUUID().toString());
        snapshot.put("organizationId", UUID.randomUUID().toString());
        ((ObjectNode) snapshot.get("policy")).putArray("allowedChains");
        ((ObjectNode) snapshot.get("policy")).putArray("allowedOrigins");
        ((ObjectNode) snapshot.get("policy")).putArray("allowedCidrs");
        ((ObjectNode) snapshot.get("policy")).putArray("deniedMethods");
        ((ObjectNode) snapshot.get("policy")).putNull("computeUnitsPerSecond");
        ((ObjectNode) snapshot.get("policy")).putNull("dailyComputeUnits");
        ((ObjectNode) snapshot.get("policy")).putNull("monthlyComputeUnits");
        return snapshot;
    }

    /** Announces a changed key snapshot on the invalidation channel. */
    public void announceKey(ObjectNode snapshot) {
        announce("{\"schema\":1,\"kind\":\"key\",\"id\":\"" + snapshot.get("hash").asString()
                + "\",\"version\":" + snapshot.get("version").asLong() + ",\"at\":\"2026-11-23T08:00:00Z\"}");
    }

    /** Announces a changed plan snapshot on the invalidation channel. */
    public void announcePlan(ObjectNode snapshot) {
        announce("{\"schema\":1,\"kind\":\"plan\",\"id\":\"" + snapshot.get("planId").asString()
                + "\",\"version\":" + snapshot.get("version").asLong() + ",\"at\":\"2026-11-23T08:00:00Z\"}");
    }

    /**
     * Publishes {@code message} on the invalidation channel. On a cluster, on a node where no one subscribes to it
     * (when there is one): a gateway then hears it only because the cluster carries it to the node it listens on.
     */
    private void announce(String message) {
        if (cluster != null) {
            for (RedisClusterNode node : cluster.getPartitions()) {
                RedisCommands<String, String> nodeCommands = cluster.getConnection(node.getNodeId()).sync();
                if (nodeCommands.pubsubNumsub(CHANNEL).getOrDefault(CHANNEL, 0L) == 0) {
                    nodeCommands.publish(CHANNEL, message);
                    return;
                }
            }
        }
        commands.publish(CHANNEL, message);
    }

    /** A contract example from docs/contracts/, read from the repository (tests run in the module folder). */
    public static JsonNode contract(String name) {
        try {
            return JSON.readTree(Files.readString(Path.of("..", "docs", "contracts", name)));
        }
        catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
