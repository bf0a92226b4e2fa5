package dev.relaygate.gateway.config;

import java.net.URI;
import java.time.Duration;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.relaygate.gateway.validation.AbsoluteUrl;
import dev.relaygate.gateway.validation.PositiveDuration;

/**
 * Where the gateway asks for a snapshot Redis does not have (docs/architecture.md, "Internal endpoints").
 *
 * @param url the control plane's base URL
 * @param internalToken the service credential sent as {@code Authorization: Bearer}
 * @param timeout the whole exchange with the control plane, connection included
 */
@Validated
@ConfigurationProperties("relaygate.control-plane")
public record ControlPlaneProperties(
        @NotNull @AbsoluteUrl @DefaultValue("http://127.0.0.1:8090") URI url,
        @DefaultValue("") String internalToken,
        @NotNull @PositiveDuration @DefaultValue("2s") Duration timeout) {
}
