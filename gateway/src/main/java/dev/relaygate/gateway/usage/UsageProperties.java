package dev.relaygate.gateway.usage;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How usage records leave the request path.
 *
 * @param queueCapacity records held at most while waiting for the sink; beyond it new records are dropped (and
 *        counted) rather than slowing or failing requests
 * @param batchSize records handed to the sink in one write at most
 * @param flushInterval how often the queue is drained
 * @param sinkTimeout how long one write to the sink may take; its records are counted as lost after that
 */
@Validated
@ConfigurationProperties("relaygate.usage")
public record UsageProperties(
        @Min(1) @Max(10_000_000) @DefaultValue("65536") int queueCapacity,
        @Min(1) @DefaultValue("1000") int batchSize,
        @NotNull @DefaultValue("1s") Duration flushInterval,
        @NotNull @DefaultValue("5s") Duration sinkTimeout) {
}
