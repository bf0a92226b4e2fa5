package dev.relaygate.gateway.config;

import java.net.URI;
import java.time.Duration;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.relaygate.gateway.validation.AbsoluteUrl;
import dev.relaygate.gateway.validation.PositiveDuration;

/**
 * The Redis the gateway reads key snapshots from, listens to for invalidations and keeps buckets in.
 *
 * @param url {@code redis://host:port}; {@code redis-sentinel://host:port,host:port#master} for a master watched by
 *            Sentinel; for a cluster, any one of its nodes (docs/redis.md)
 * @param mode how that Redis is deployed: {@code standalone} (one server, or Sentinel) or {@code cluster}
 * @param commandTimeout how long one command may take before the gateway treats Redis as unavailable
 * @param connectTimeout how long a (re)connection attempt may take
 */
@Validated
@ConfigurationProperties("relaygate.redis")
public record RedisProperties(
        @NotNull @AbsoluteUrl(schemes = { "redis", "rediss", "redis-sentinel" }) @DefaultValue("redis://127.0.0.1:6379") URI url,
        @NotNull @DefaultValue("standalone") RedisMode mode,
        @NotNull @PositiveDuration @DefaultValue("100ms") Duration commandTimeout,
        @NotNull @PositiveDuration @DefaultValue("1s") Duration connectTimeout) {

    /** A cluster's nodes are named directly: Sentinel watches masters outside a cluster, not a cluster's nodes. */
    @AssertTrue(message = "mode cluster needs a redis:// or rediss:// URL naming one of the cluster's nodes, not "
        + "redis-sentinel://")
    boolean isClusterNamedByANode() {
        return mode != RedisMode.CLUSTER || url == null || !"redis-sentinel".equalsIgnoreCase(url.getScheme());
    }
}
