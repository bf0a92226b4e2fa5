package dev.relaygate.gateway.ratelimit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

/**
 * Counts the round trips clients made to a Redis server, or to all masters of a Redis Cluster, from
 * {@code INFO commandstats} (summed over the nodes), and reads the keys the limiter wrote.
 *
 * <p>Redis also counts the commands a Lua script runs. The limiter's one script
 * ({@link OneTripProxyManager}) runs one {@code get}, when it swaps one {@code set}, and for each quota counter it
 * carries one {@code incrby} (and an {@code expireat} when it creates one); the limiter itself sends none of
 * {@code set}, {@code incrby} or {@code expireat} (except for an organization idle for a minute, which no test here
 * waits for), so: round trips = all calls − set − incrby − expireat − (one get per script). A cluster client also
 * reads the topology now and then ({@code cluster}, {@code info}) and introduces its connections ({@code client},
 * {@code hello}); none of that is per request, and it is not counted.
 */
final class RedisCommandStats implements AutoCloseable {

    private final List<RedisClient> nodeClients = new ArrayList<>();
    private final List<StatefulRedisConnection<String, String>> nodes = new ArrayList<>();
    private final AbstractRedisClient client;
    private final StatefulConnection<String, String> connection;
    private final RedisClusterCommands<String, String> commands;

    /** On one server. */
    RedisCommandStats(String url) {
        RedisClient server = RedisClient.create(url);
        StatefulRedisConnection<String, String> opened = server.connect();
        this.client = server;
        this.connection = opened;
        this.commands = opened.sync();
        nodes.add(opened);
    }

    /** On the cluster of these masters, reached through the first. */
    RedisCommandStats(List<String> masterUrls) {
        RedisClusterClient cluster = RedisClusterClient.create(masterUrls.get(0));
        StatefulRedisClusterConnection<String, String> opened = cluster.connect();
        this.client = cluster;
        this.connection = opened;
        this.commands = opened.sync();
        for (String url : masterUrls) {
            RedisClient node = RedisClient.create(url);
            nodeClients.add(node);
            nodes.add(node.connect());
        }
    }

    void reset() {
        nodes.forEach(node -> node.sync().configResetstat());
    }

    long roundTrips() {
        Map<String, Long> calls = calls();
        long total = calls.values().stream().mapToLong(Long::longValue).sum();
        long scripts = calls.getOrDefault("eval", 0L) + calls.getOrDefault("evalsha", 0L);
        long internal = calls.getOrDefault("set", 0L) + calls.getOrDefault("incrby", 0L)
            + calls.getOrDefault("expireat", 0L) + scripts;
        long ours = calls.entrySet().stream()
            .filter(call -> call.getKey().startsWith("info") || call.getKey().startsWith("config")
                || call.getKey().startsWith("cluster") || call.getKey().startsWith("client")
                || call.getKey().equals("hello"))
            .mapToLong(Map.Entry::getValue)
            .sum();
        return total - internal - ours;
    }

    /** Calls by command name, summed over the nodes. */
    Map<String, Long> calls() {
        Map<String, Long> calls = new HashMap<>();
        for (StatefulRedisConnection<String, String> node : nodes) {
            for (String line : node.sync().info("commandstats").split("\r?\n")) {
                if (line.startsWith("cmdstat_")) {
                    String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                    String stats = line.substring(line.indexOf(':') + 1);
                    for (String field : stats.split(",")) {
                        if (field.startsWith("calls=")) {
                            calls.merge(name, Long.parseLong(field.substring("calls=".length())), Long::sum);
                        }
                    }
                }
            }
        }
        return calls;
    }

    /** Makes every node forget its scripts, as a restart would. */
    void scriptFlush() {
        nodes.forEach(node -> node.sync().scriptFlush());
    }

    boolean exists(String key) {
        return commands.exists(key) == 1;
    }

    String get(String key) {
        return commands.get(key);
    }

    Long ttlMillis(String key) {
        return commands.pttl(key);
    }

    void delete(String key) {
        commands.del(key);
    }

    /** The keys matching {@code pattern}, on every node. */
    List<String> keys(String pattern) {
        return commands.keys(pattern);
    }

    @Override
    public void close() {
        nodes.stream().filter(node -> node != connection).forEach(StatefulRedisConnection::close);
        connection.close();
        nodeClients.forEach(RedisClient::shutdown);
        client.shutdown();
    }
}
