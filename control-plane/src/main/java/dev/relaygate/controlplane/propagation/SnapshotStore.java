package dev.relaygate.controlplane.propagation;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.codec.StringCodec;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import reactor.core.publisher.Mono;

/**
 * Writes snapshots to Redis and announces invalidations, over one shared Lettuce connection opened lazily, so
 * the control plane starts and serves its API while Redis is down. Commands are rejected at once while
 * disconnected and bounded by a timeout otherwise.
 */
@Component
public final class SnapshotStore implements DisposableBean {

    /**
     * Writes ARGV[1] unless Redis already holds a snapshot with a higher version (rule 3 of the contract: never
     * replace a snapshot by an older one, even when two publications race).
     */
    private static final String WRITE_IF_NOT_OLDER = """
            local current = redis.call('GET', KEYS[1])
            if current then
              local ok, decoded = pcall(cjson.decode, current)
              if ok and type(decoded) == 'table' and tonumber(decoded['version']) and
                 tonumber(decoded['version']) > tonumber(ARGV[2]) then
                return 0
              end
            end
            redis.call('SET', KEYS[1], ARGV[1])
            return 1
            """;

    private final RedisClient client;

    private final RedisURI uri;

    private final Duration commandTimeout;

    private final AtomicReference<StatefulRedisConnection<String, String>> connection = new AtomicReference<>();

    public SnapshotStore(RedisProperties properties) {
        this.uri = RedisURI.create(properties.url());
        this.uri.setTimeout(properties.commandTimeout());
        this.commandTimeout = properties.commandTimeout();
        this.client = RedisClient.create();
        this.client.setOptions(ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(properties.commandTimeout()))
            .socketOptions(SocketOptions.builder().connectTimeout(properties.connectTimeout()).build())
            .build());
    }

    /** Stores a snapshot unless a newer one is already there. Emits true when written. */
    public Mono<Boolean> write(String redisKey, String payload, long version) {
        return commands()
            .flatMap(redis -> redis.<Long>eval(WRITE_IF_NOT_OLDER, ScriptOutputType.INTEGER,
                    new String[] { redisKey }, payload, Long.toString(version)).next())
            .map(written -> written == 1L)
            .timeout(commandTimeout.multipliedBy(2));
    }

    /** Announces a change on the invalidation channel. */
    public Mono<Void> announce(String message) {
        return commands()
            .flatMap(redis -> redis.publish(RedisNames.INVALIDATION_CHANNEL, message))
            .timeout(commandTimeout.multipliedBy(2))
            .then();
    }

    private Mono<RedisReactiveCommands<String, String>> commands() {
        StatefulRedisConnection<String, String> current = connection.get();
        if (current != null) {
            return Mono.just(current.reactive());
        }
        return Mono.fromCompletionStage(() -> client.connectAsync(StringCodec.UTF8, uri))
            .timeout(commandTimeout.multipliedBy(4))
            .map(opened -> {
                if (connection.compareAndSet(null, opened)) {
                    return opened.reactive();
                }
                opened.closeAsync();
                return connection.get().reactive();
            });
    }

    @Override
    public void destroy() {
        StatefulRedisConnection<String, String> current = connection.getAndSet(null);
        if (current != null) {
            current.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
