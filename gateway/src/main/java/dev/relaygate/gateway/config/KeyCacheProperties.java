package dev.relaygate.gateway.config;

import java.time.Duration;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.relaygate.gateway.validation.PositiveDuration;

/**
 * The gateway's in-memory cache of key and plan snapshots.
 *
 * @param maximumSize snapshots kept at most (least recently used go first)
 * @param timeToLive how long a found snapshot is trusted without an invalidation; bounds staleness should an
 *        invalidation be lost while the connection stays up
 * @param negativeTimeToLive how long "no such key" is remembered, so floods of unknown keys do not reach
 *        Redis or the control plane
 */
@Validated
@ConfigurationProperties("relaygate.key-cache")
public record KeyCacheProperties(
        @Min(1) @DefaultValue("100000") long maximumSize,
        @NotNull @PositiveDuration @DefaultValue("5m") Duration timeToLive,
        @NotNull @DefaultValue("30s") Duration negativeTimeToLive) {
}
