package dev.relaygate.gateway.auth;

import java.time.Duration;

import io.netty.handler.codec.http.HttpHeaderNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import dev.relaygate.gateway.config.ControlPlaneProperties;
import dev.relaygate.gateway.config.RedisConnections;
import dev.relaygate.gateway.observability.ThrottledWarning;

/**
 * Where snapshots of one kind come from on a cache miss: Redis first ({@code rg:key:{hash}} or
 * {@code rg:plan:{id}}), then the control plane's internal endpoint when Redis has none or cannot be reached.
 * Empty when neither knows the id; an error only when Redis lacks it and the control plane cannot answer.
 *
 * @param <T> the snapshot type
 */
public final class SnapshotSource<T> {

    private static final Logger log = LoggerFactory.getLogger(SnapshotSource.class);

    /** How often at most a failed load is logged; the cache metrics count every one. */
    static final Duration FAILURE_LOG_INTERVAL = Duration.ofSeconds(10);

    private final RedisConnections redis;

    private final String redisPrefix;

    private final HttpClient controlPlane;

    private final String internalPath;

    private final Duration controlPlaneTimeout;

    private final JsonMapper json;

    private final Class<T> type;

    /** Loads that neither Redis nor the control plane could answer: in an outage, every miss and every refresh. */
    private final ThrottledWarning unanswered = new ThrottledWarning(log, FAILURE_LOG_INTERVAL);

    private final ThrottledWarning unreadable = new ThrottledWarning(log, FAILURE_LOG_INTERVAL);

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
            .doOnError(failure -> unanswered.warn(
                    "{} cannot be loaded: neither Redis nor the control plane answered ({})", type.getSimpleName(),
                    failure.toString()))
            .map(this::read);
    }

    private T read(String text) {
        try {
            return json.readValue(text, type);
        }
        catch (JacksonException unreadable) {
            this.unreadable.warn("A {} does not follow the contract (docs/contracts/): {}", type.getSimpleName(),
                    unreadable.getOriginalMessage());
            throw unreadable;
        }
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
