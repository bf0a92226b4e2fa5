package dev.relaygate.gateway.usage;

import java.time.Duration;
import java.util.Map;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import reactor.core.publisher.Mono;

import dev.relaygate.gateway.config.RedisDeployment;
import dev.relaygate.gateway.config.RedisLink;
import dev.relaygate.gateway.config.RedisMode;

/**
 * Appends usage batches to the Redis stream {@code rg:usage} ({@code XADD rg:usage * batch <json>}), on a Redis
 * connection of its own: a slow or failed {@code XADD} never holds up the rate limiter's or the key lookups'
 * commands. No {@code MAXLEN}: the control plane trims what its group has consumed. Commands are rejected while
 * disconnected (so a batch is spooled at once rather than queued in memory) and Lettuce reconnects by itself. On a
 * Redis Cluster the stream is one key, so it lives on the master of its slot, where every {@code XADD} goes.
 */
public final class UsageStream implements UsageSink, AutoCloseable {

    /** The stream (docs/architecture.md, "Redis keys and channel"). */
    public static final String STREAM = "rg:usage";

    /** The entry's one field. */
    public static final String FIELD = "batch";

    private final RedisDeployment client;

    private final Mono<RedisLink<String>> connection;

    private final Duration timeout;

    public UsageStream(String redisUrl, RedisMode mode, Duration connectTimeout, Duration timeout,
            ClientResources resources) {
        this.timeout = timeout;
        this.client = RedisDeployment.create(redisUrl, mode, timeout, resources, ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(timeout))
            .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).build())
            .build());
        // Connected once, then kept (Lettuce reconnects it); a failed attempt is retried on the next send.
        this.connection = Mono.fromCompletionStage(() -> client.connectAsync(StringCodec.UTF8))
            .cache(connected -> Duration.ofMillis(Long.MAX_VALUE), failed -> Duration.ZERO, () -> Duration.ZERO);
    }

    @Override
    public Mono<Void> send(String batchId, String json) {
        return connection
            .flatMap(redis -> redis.reactive().xadd(STREAM, Map.of(FIELD, json)))
            .timeout(timeout)
            .then();
    }

    @Override
    public void close() {
        client.shutdownAsync();
    }
}
