package dev.relaygate.local;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Mints control-plane bearer tokens with the local stack's HS256 secret, the "local key" the control plane
 * accepts when no OIDC provider is configured. For a developer's machine and tests only.
 */
public final class DevTokens {

    public static final String ISSUER = "relaygate-local";

    public static final String AUDIENCE = "relaygate-control-plane";

    public static final String ADMIN_CLAIM = "relaygate_admin";

    private final byte[] secret;

    DevTokens(String secret) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    /** A token for {@code subject}, a platform admin when {@code platformAdmin}, valid for {@code lifetime}. */
    public String mint(String subject, boolean platformAdmin, Duration lifetime) {
        return sign(claims(subject, platformAdmin, lifetime).build());
    }

    /** A user's token that also vouches for {@code email} (so e-mail invitations are claimed), never an admin's. */
    public String mintUser(String subject, String email, Duration lifetime) {
        JWTClaimsSet.Builder claims = claims(subject, false, lifetime);
        if (email != null) {
            claims.claim("email", email).claim("email_verified", true);
        }
        return sign(claims.build());
    }

    private static JWTClaimsSet.Builder claims(String subject, boolean platformAdmin, Duration lifetime) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
            .subject(subject)
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(lifetime)))
            .claim(ADMIN_CLAIM, platformAdmin);
    }

    private String sign(JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(new MACSigner(secret));
        }
        catch (JOSEException e) {
            throw new IllegalStateException("Could not sign a local token", e);
        }
        return jwt.serialize();
    }
}
