package dev.relaygate.controlplane.portal;

import java.net.URI;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * What the portal's page needs before anyone signs in: where to send the browser to sign in. Public and free of
 * secrets: everything here is what a browser-side OIDC client shows anyway.
 *
 * @param signIn null when no identity provider is configured for the portal
 */
public record PortalConfig(SignIn signIn) {

    static PortalConfig of(PortalProperties properties) {
        PortalProperties.SignIn signIn = properties.signIn();
        if (signIn == null || !signIn.configured()) {
            return new PortalConfig(null);
        }
        return new PortalConfig(new SignIn(signIn.authorizationEndpoint(), signIn.tokenEndpoint(), signIn.clientId(),
                signIn.scope(), signIn.audience()));
    }

    /** The OIDC authorization code flow with PKCE (S256) the page runs. */
    public record SignIn(URI authorizationEndpoint, URI tokenEndpoint, String clientId, String scope,
            @Schema(description = "Sent as the audience authorization parameter when not null") String audience) {
    }
}
