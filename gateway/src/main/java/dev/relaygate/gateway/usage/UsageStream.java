package dev.relaygate.gateway.usage;

import java.time.Duration;
import java.util.Map;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import reactor.core.publisher.Mono;

/**
 * Appends usage batches to the Redis stream {@code rg:usage} ({@code XADD rg:usage * batch <json>}), on a Redis
 * connection of its own: a slow or failed {@code XADD} never holds up the rate limiter's or the key lookups'
 * commands. No {@code MAXLEN}: the control plane trims what its group has consumed. Commands are rejected while
 * disconnected (so a batch is spooled at once rather than queued in memory) and Lettuce reconnects by itself.
 */
public final class UsageStream implements UsageSink, AutoCloseable {

    /** The stream (docs/architecture.md, "Redis keys and channel"). */
    public static final String STREAM = "rg:usage";

    /** The entry's one field. */
    public static final String FIELD = "batch";

    private final RedisClient client;

    private final Mono<StatefulRedisConnection<String, String>> connection;

    private final Duration timeout;

    public UsageStream(String redisUrl, Duration connectTimeout, Duration timeout, ClientResources resources) {
        RedisURI uri = RedisURI.create(redisUrl);
        uri.setTimeout(timeout);
        this.timeout = timeout;
        this.client = RedisClient.create(resources, uri);
        this.client.setOptions(ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(timeout))
            .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).build())
            .build());
        // Connected once, then kept (Lettuce reconnects it); a failed attempt is retried on the next send.
        this.connection = Mono.fromCompletionStage(() -> client.connectAsync(StringCodec.UTF8, uri))
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
