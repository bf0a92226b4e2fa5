package dev.relaygate.gateway.config;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.relaygate.gateway.validation.PositiveDuration;

/**
 * Bounds on slow clients, so that none can hold a connection or a buffer for long.
 *
 * @param readTimeout longest pause while reading a request's body, once its head is in (the connection is closed)
 * @param requestTimeout longest time to receive one whole request
 * @param idleTimeout a keep-alive connection with no request under way and nothing left to answer is closed after
 *     this long; it also bounds a client that never finishes a request's head
 */
@Validated
@ConfigurationProperties("relaygate.server")
public record ServerTimeoutProperties(
        @NotNull @PositiveDuration @DefaultValue("10s") Duration readTimeout,
        @NotNull @PositiveDuration @DefaultValue("30s") Duration requestTimeout,
        @NotNull @PositiveDuration @DefaultValue("60s") Duration idleTimeout) {
}
