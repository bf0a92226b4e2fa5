package dev.relaygate.gateway.auth;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Gateway-wide inputs of key policies.
 *
 * @param trustedProxies address blocks of the proxies in front of the gateway whose {@code X-Forwarded-For}
 *        is believed; empty means the TCP peer is the client
 * @param methodClasses per chain family, method classes and the method patterns in each ({@code debug_*} is a
 *        prefix, anything else an exact name); a method in no class is {@code standard}. A plan lists the
 *        classes its keys may call. Empty means the defaults in {@link MethodClasses#DEFAULTS}.
 * @param jwtAudience the {@code aud} a JWT-secured key's tokens must name
 * @param jwtClockSkew tolerance when checking a token's {@code exp} and {@code nbf}
 */
@Validated
@ConfigurationProperties("relaygate.policy")
public record PolicyProperties(
        @DefaultValue List<String> trustedProxies,
        @DefaultValue Map<String, Map<String, List<String>>> methodClasses,
        @DefaultValue("relaygate") String jwtAudience,
        @DefaultValue("30s") Duration jwtClockSkew) {
}
