package dev.relaygate.gateway.config;

import java.time.Duration;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import reactor.core.publisher.Mono;

/**
 * The gateway's Redis client and its one shared command connection. Commands time out quickly and are
 * rejected while disconnected (no unbounded queue, no replay of stale writes after a reconnect); Lettuce
 * reconnects by itself. Connecting is lazy and retried on the next use, so the gateway starts, and serves
 * cached keys, while Redis is down.
 */
public final class RedisConnections implements AutoCloseable {

    private final RedisDeployment deployment;

    private final Mono<RedisLink<String>> connection;

    public RedisConnections(RedisProperties properties, ClientResources resources) {
        this.deployment = RedisDeployment.create(properties, properties.commandTimeout(), resources,
            ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(properties.commandTimeout()))
                .socketOptions(SocketOptions.builder().connectTimeout(properties.connectTimeout()).keepAlive(true)
                    .build())
                .build());
        this.connection = Mono.fromCompletionStage(() -> deployment.connectAsync(StringCodec.UTF8))
            .cache(connected -> Duration.ofMillis(Long.MAX_VALUE), failed -> Duration.ZERO, () -> Duration.ZERO);
    }

    /** The client, for connections of their own (pub/sub, the response cache). */
    public RedisDeployment deployment() {
        return deployment;
    }

    /** Reactive commands on the shared connection; errors when Redis cannot be reached. */
    public Mono<RedisClusterReactiveCommands<String, String>> commands() {
        return connection.map(RedisLink::reactive);
    }

    @Override
    public void close() {
        deployment.shutdownAsync();
    }
}
