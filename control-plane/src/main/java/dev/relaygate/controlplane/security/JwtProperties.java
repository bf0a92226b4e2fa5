package dev.relaygate.controlplane.security;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.relaygate.controlplane.config.AbsoluteUrl;
import dev.relaygate.controlplane.config.PositiveDuration;

/**
 * How user bearer tokens are verified: a JWKS URL of an OIDC provider (algorithm pinned), an HS256 shared secret
 * for local and dev set-ups, or both. Issuer and audience are always checked.
 *
 * @param hmacSecret   HS256 shared secret, at least 32 bytes; for local/dev only
 * @param issuer       required {@code iss}
 * @param audience     required member of {@code aud}
 * @param jwksUrl      JWKS document of the identity provider
 * @param jwksAlgorithm the only algorithm accepted for JWKS-verified tokens (RS256 or ES256)
 * @param adminClaim   boolean claim that marks a platform administrator
 * @param clockSkew    tolerance on {@code exp} and {@code nbf}
 * @param jwksTimeout  connect and read timeout of a JWKS fetch
 * @param jwksCacheTtl how long a fetched JWKS is reused
 */
@Validated
@ConfigurationProperties("relaygate.security.jwt")
public record JwtProperties(
        String hmacSecret,
        @NotBlank @DefaultValue("relaygate-local") String issuer,
        @NotBlank @DefaultValue("relaygate-control-plane") String audience,
        @AbsoluteUrl URI jwksUrl,
        @NotNull @Pattern(regexp = "RS256|ES256") @DefaultValue("RS256") String jwksAlgorithm,
        @NotBlank @DefaultValue("relaygate_admin") String adminClaim,
        @NotNull @DefaultValue("30s") Duration clockSkew,
        @NotNull @PositiveDuration @DefaultValue("2s") Duration jwksTimeout,
        @NotNull @PositiveDuration @DefaultValue("5m") Duration jwksCacheTtl) {

    @AssertTrue(message = "set relaygate.security.jwt.jwks-url or relaygate.security.jwt.hmac-secret")
    public boolean isKeySourceConfigured() {
        return jwksUrl != null || hasHmacSecret();
    }

    @AssertTrue(message = "relaygate.security.jwt.hmac-secret must be at least 32 bytes")
    public boolean isHmacSecretLongEnough() {
        return !hasHmacSecret() || hmacSecret.getBytes(StandardCharsets.UTF_8).length >= 32;
    }

    public boolean hasHmacSecret() {
        return hmacSecret != null && !hmacSecret.isEmpty();
    }

    @Override
    public String toString() {
        return "JwtProperties[issuer=" + issuer + ", audience=" + audience + ", jwksUrl=" + jwksUrl + "]";
    }
}
