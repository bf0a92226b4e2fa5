package dev.relaygate.controlplane.security;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The service credential gateways present on {@code /internal/v1/**}.
 *
 * @param token shared bearer token; at least 16 characters
 */
@Validated
@ConfigurationProperties("relaygate.internal")
public record InternalProperties(@NotBlank @Size(min = 16) String token) {

    @Override
    public String toString() {
        return "InternalProperties[token=***]";
    }
}
