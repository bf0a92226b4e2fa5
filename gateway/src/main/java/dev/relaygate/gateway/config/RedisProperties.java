package dev.relaygate.gateway.config;

import java.net.URI;
import java.time.Duration;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The Redis the gateway reads key snapshots from, listens to for invalidations and keeps buckets in.
 *
 * @param url {@code redis://host:port}
 * @param commandTimeout how long one command may take before the gateway treats Redis as unavailable
 * @param connectTimeout how long a (re)connection attempt may take
 */
@Validated
@ConfigurationProperties("relaygate.redis")
public record RedisProperties(
        @NotNull @DefaultValue("redis://127.0.0.1:6379") URI url,
        @NotNull @DefaultValue("100ms") Duration commandTimeout,
        @NotNull @DefaultValue("1s") Duration connectTimeout) {
}
