package dev.relaygate.controlplane.propagation;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import reactor.core.publisher.Mono;

/**
 * Writes snapshots to Redis and announces invalidations, over one shared Lettuce connection opened lazily, so
 * the control plane starts and serves its API while Redis is down. Commands are rejected at once while
 * disconnected and bounded by a timeout otherwise. On a Redis Cluster each snapshot's script goes to the master of
 * its key's slot (it touches that one key), and an announcement published on any node reaches every node.
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

    private final RedisDeployment client;

    private final Duration commandTimeout;

    private final AtomicReference<RedisDeployment.Link> connection = new AtomicReference<>();

    public SnapshotStore(RedisProperties properties) {
        this.commandTimeout = properties.commandTimeout();
        this.client = RedisDeployment.create(properties, properties.commandTimeout(), ClientOptions.builder()
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

    private Mono<RedisClusterReactiveCommands<String, String>> commands() {
        RedisDeployment.Link current = connection.get();
        if (current != null) {
            return Mono.just(current.reactive());
        }
        return Mono.fromCompletionStage(client::connectAsync)
            .timeout(commandTimeout.multipliedBy(4))
            .map(opened -> {
                if (connection.compareAndSet(null, opened)) {
                    return opened.reactive();
                }
                opened.connection().closeAsync();
                return connection.get().reactive();
            });
    }

    @Override
    public void destroy() {
        RedisDeployment.Link current = connection.getAndSet(null);
        if (current != null) {
            current.connection().close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
