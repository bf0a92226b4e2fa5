package dev.relaygate.gateway.observability;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code relaygate.access-log.*}: the access log of {@code /v1} ({@link AccessLog}), off by default.
 *
 * @param enabled whether requests get an access-log line
 * @param sampleRate the share of requests that get one, 0 to 1
 * @param queueSize lines waiting to be written at most; more are dropped and counted
 */
@Validated
@ConfigurationProperties("relaygate.access-log")
public record AccessLogProperties(@DefaultValue("false") boolean enabled,
        @DefaultValue("1.0") @DecimalMin("0.0") @DecimalMax("1.0") double sampleRate,
        @DefaultValue("10000") @jakarta.validation.constraints.Min(1) int queueSize) {
}
