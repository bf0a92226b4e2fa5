package dev.relaygate.controlplane.propagation;

import java.net.URI;
import java.time.Duration;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.relaygate.controlplane.config.AbsoluteUrl;
import dev.relaygate.controlplane.config.PositiveDuration;

/**
 * Redis used for snapshot publication and the usage stream.
 *
 * @param url                 {@code redis://host:port} (or {@code rediss://}, with credentials if needed);
 *                            {@code redis-sentinel://host:port,host:port#master} for a master watched by Sentinel;
 *                            for a cluster, any one of its nodes (docs/redis.md)
 * @param mode                how that Redis is deployed: {@code standalone} (one server, or Sentinel) or
 *                            {@code cluster}
 * @param connectTimeout      bound on establishing a connection
 * @param commandTimeout      bound on every command; a slow Redis fails the publication, never the API call
 * @param republishInterval   how often snapshots that could not be published are retried
 */
@Validated
@ConfigurationProperties("relaygate.redis")
public record RedisProperties(
        @NotNull @AbsoluteUrl(schemes = { "redis", "rediss", "redis-sentinel" }) @DefaultValue("redis://127.0.0.1:6379") URI url,
        @NotNull @DefaultValue("standalone") RedisMode mode,
        @NotNull @PositiveDuration @DefaultValue("1s") Duration connectTimeout,
        @NotNull @PositiveDuration @DefaultValue("500ms") Duration commandTimeout,
        @NotNull @PositiveDuration @DefaultValue("15s") Duration republishInterval) {

    /** A cluster's nodes are named directly: Sentinel watches masters outside a cluster, not a cluster's nodes. */
    @AssertTrue(message = "mode cluster needs a redis:// or rediss:// URL naming one of the cluster's nodes, not "
        + "redis-sentinel://")
    boolean isClusterNamedByANode() {
        return mode != RedisMode.CLUSTER || url == null || !"redis-sentinel".equalsIgnoreCase(url.getScheme());
    }

    @Override
    public String toString() {
        return "RedisProperties[host=" + url.getHost() + ":" + url.getPort() + ", mode=" + mode + "]";
    }
}
