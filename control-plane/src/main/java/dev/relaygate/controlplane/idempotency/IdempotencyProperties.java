package dev.relaygate.controlplane.idempotency;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.relaygate.controlplane.config.PositiveDuration;

/**
 * {@code Idempotency-Key} handling.
 *
 * @param ttl          how long an answer is kept for replay
 * @param purgeInterval how often expired records are deleted
 */
@Validated
@ConfigurationProperties("relaygate.idempotency")
public record IdempotencyProperties(@NotNull @PositiveDuration @DefaultValue("24h") Duration ttl,
        @NotNull @PositiveDuration @DefaultValue("10m") Duration purgeInterval) {
}
