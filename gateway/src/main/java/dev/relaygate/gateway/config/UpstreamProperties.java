package dev.relaygate.gateway.config;

import java.time.Duration;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.relaygate.gateway.validation.PositiveDuration;

/**
 * The pooled HTTP client that relays calls to upstream nodes.
 *
 * @param maxConnections connections per upstream host at most, shared out between the client's pools (one per event loop)
 * @param pendingAcquireTimeout how long a call may wait for a free pooled connection
 * @param maxIdleTime a pooled connection idle this long is closed (below the upstream's own keep-alive timeout)
 * @param connectTimeout TCP connect timeout
 * @param responseTimeout how long the upstream may take to answer a call
 * @param maxResponseBytes the largest upstream answer relayed; a larger one is refused as an upstream error
 */
@Validated
@ConfigurationProperties("relaygate.upstream")
public record UpstreamProperties(
        @Min(1) @DefaultValue("512") int maxConnections,
        @NotNull @PositiveDuration @DefaultValue("2s") Duration pendingAcquireTimeout,
        @NotNull @PositiveDuration @DefaultValue("30s") Duration maxIdleTime,
        @NotNull @PositiveDuration @DefaultValue("2s") Duration connectTimeout,
        @NotNull @PositiveDuration @DefaultValue("30s") Duration responseTimeout,
        @Min(1024) @DefaultValue("67108864") int maxResponseBytes) {
}
