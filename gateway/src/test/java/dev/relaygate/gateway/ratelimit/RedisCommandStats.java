package dev.relaygate.gateway.ratelimit;

import java.util.HashMap;
import java.util.Map;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

/**
 * Counts the round trips clients made to a Redis server, from {@code INFO commandstats}.
 *
 * <p>Redis also counts the commands a Lua script runs. The limiter's one script
 * ({@link OneTripProxyManager}) runs one {@code get}, when it swaps one {@code set}, and for each quota counter it
 * carries one {@code incrby} (and an {@code expireat} when it creates one); the limiter itself sends none of
 * {@code set}, {@code incrby} or {@code expireat} (except for an organization idle for a minute, which no test here
 * waits for), so: round trips = all calls − set − incrby − expireat − (one get per script).
 */
final class RedisCommandStats implements AutoCloseable {

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    RedisCommandStats(String url) {
        this.client = RedisClient.create(url);
        this.connection = client.connect();
    }

    void reset() {
        connection.sync().configResetstat();
    }

    long roundTrips() {
        Map<String, Long> calls = calls();
        long total = calls.values().stream().mapToLong(Long::longValue).sum();
        long scripts = calls.getOrDefault("eval", 0L) + calls.getOrDefault("evalsha", 0L);
        long internal = calls.getOrDefault("set", 0L) + calls.getOrDefault("incrby", 0L)
            + calls.getOrDefault("expireat", 0L) + scripts;
        long ours = calls.getOrDefault("info", 0L) + calls.getOrDefault("config", 0L)
            + calls.getOrDefault("config|resetstat", 0L);
        return total - internal - ours;
    }

    Map<String, Long> calls() {
        Map<String, Long> calls = new HashMap<>();
        for (String line : connection.sync().info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_")) {
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                String stats = line.substring(line.indexOf(':') + 1);
                for (String field : stats.split(",")) {
                    if (field.startsWith("calls=")) {
                        calls.put(name, Long.parseLong(field.substring("calls=".length())));
                    }
                }
            }
        }
        return calls;
    }

    boolean exists(String key) {
        return connection.sync().exists(key) == 1;
    }

    String get(String key) {
        return connection.sync().get(key);
    }

    Long ttlMillis(String key) {
        return connection.sync().pttl(key);
    }

    StatefulRedisConnection<String, String> connection() {
        return connection;
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
