package dev.relaygate.controlplane.portal;

import java.net.URI;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.relaygate.controlplane.config.AbsoluteUrl;

/**
 * The customer portal served at {@code /portal/} (issue #21): how its page signs users in. The page runs the
 * OpenID Connect authorization code flow with PKCE in the browser against these endpoints, then calls {@code /v1}
 * with the access token, which {@code relaygate.security.jwt} verifies like any other bearer token.
 *
 * @param signIn the identity provider's client registration for the portal; without it the portal says that
 *               sign-in is not configured
 */
@Validated
@ConfigurationProperties("relaygate.portal")
public record PortalProperties(@Valid @DefaultValue SignIn signIn) {

    /**
     * A public OIDC client (no client secret: a browser cannot keep one; PKCE protects the code instead).
     *
     * @param authorizationEndpoint the provider's authorization endpoint
     * @param tokenEndpoint         the provider's token endpoint; it must allow cross-origin requests from the
     *                              portal's origin, and the portal's CSP allows {@code connect-src} to its origin
     * @param clientId              the portal's client id at the provider
     * @param scope                 scopes requested
     * @param audience              sent as the {@code audience} authorization parameter when set, for providers
     *                              that issue JWT access tokens only for a named API (it must be
     *                              {@code relaygate.security.jwt.audience})
     */
    public record SignIn(@AbsoluteUrl URI authorizationEndpoint, @AbsoluteUrl URI tokenEndpoint,
            @Size(max = 255) String clientId, @NotBlank @DefaultValue("openid email") String scope,
            @Size(max = 255) String audience) {

        public boolean configured() {
            return authorizationEndpoint != null;
        }

        @AssertTrue(message = "relaygate.portal.sign-in needs authorization-endpoint, token-endpoint and client-id "
                + "together, or none of them")
        public boolean isCompleteOrAbsent() {
            boolean any = authorizationEndpoint != null || tokenEndpoint != null || (clientId != null && !clientId.isBlank());
            boolean all = authorizationEndpoint != null && tokenEndpoint != null && clientId != null && !clientId.isBlank();
            return !any || all;
        }
    }
}
