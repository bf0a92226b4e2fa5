package dev.relaygate.gateway.auth;

import java.time.Duration;

import io.netty.handler.codec.http.HttpHeaderNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.json.JsonMapper;

import dev.relaygate.gateway.config.ControlPlaneProperties;
import dev.relaygate.gateway.config.RedisConnections;

/**
 * Where snapshots of one kind come from on a cache miss: Redis first ({@code rg:key:{hash}} or
 * {@code rg:plan:{id}}), then the control plane's internal endpoint when Redis has none or cannot be reached.
 * Empty when neither knows the id; an error only when Redis lacks it and the control plane cannot answer.
 *
 * @param <T> the snapshot type
 */
public final class SnapshotSource<T> {

    private static final Logger log = LoggerFactory.getLogger(SnapshotSource.class);

    private final RedisConnections redis;

    private final String redisPrefix;

    private final HttpClient controlPlane;

    private final String internalPath;

    private final Duration controlPlaneTimeout;

    private final JsonMapper json;

    private final Class<T> type;

    public SnapshotSource(RedisConnections redis, String redisPrefix, HttpClient controlPlane,
            ControlPlaneProperties properties, String internalPath, JsonMapper json, Class<T> type) {
        this.redis = redis;
        this.redisPrefix = redisPrefix;
        this.controlPlane = controlPlane
            .baseUrl(properties.url().toString())
            .headers(headers -> headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + properties.internalToken()));
        this.internalPath = internalPath;
        this.controlPlaneTimeout = properties.timeout();
        this.json = json;
        this.type = type;
    }

    public Mono<T> load(String id) {
        return fromRedis(id)
            .switchIfEmpty(Mono.defer(() -> fromControlPlane(id)))
            .map(text -> json.readValue(text, type));
    }

    private Mono<String> fromRedis(String id) {
        return redis.commands()
            .flatMap(commands -> commands.get(redisPrefix + id))
            .onErrorResume(failure -> {
                log.debug("Redis could not answer for {}{}: {}", redisPrefix, id, failure.toString());
                return Mono.empty();
            });
    }

    private Mono<String> fromControlPlane(String id) {
        return controlPlane.get()
            .uri(internalPath + id)
            .responseSingle((response, body) -> switch (response.status().code()) {
                case 200 -> body.asString();
                case 404 -> Mono.<String>empty();
                default -> Mono.error(new IllegalStateException(
                        "control plane answered " + response.status().code() + " for " + internalPath));
            })
            .timeout(controlPlaneTimeout);
    }
}
