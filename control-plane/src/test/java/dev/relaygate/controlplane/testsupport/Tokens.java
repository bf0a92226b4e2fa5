package dev.relaygate.controlplane.testsupport;

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

/** Mints user tokens the test application accepts (HS256 with the test secret) and variations it must refuse. */
public final class Tokens {

    public static final String HMAC_SECRET = "test-hmac-secret-that-is-at-least-32-bytes-long";

    public static final String ISSUER = "relaygate-local";

    public static final String AUDIENCE = "relaygate-control-plane";

    public static final String INTERNAL_TOKEN = "test-internal-service-token-0123456789";

    private Tokens() {
    }

    public static String user(String subject) {
        return builder(subject).build().sign();
    }

    public static String admin(String subject) {
        return builder(subject).admin(true).build().sign();
    }

    public static Spec.Builder builder(String subject) {
        return new Spec.Builder(subject);
    }

    /** What goes into a token; {@link #sign()} makes it. */
    public record Spec(String subject, String issuer, String audience, Instant expiresAt, boolean admin,
            String email, String secret) {

        public String sign() {
            JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(subject)
                .issuer(issuer)
                .audience(audience)
                .issueTime(new Date())
                .expirationTime(Date.from(expiresAt))
                .claim("relaygate_admin", admin);
            if (email != null) {
                claims.claim("email", email).claim("email_verified", true);
            }
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
            try {
                jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
            }
            catch (JOSEException e) {
                throw new IllegalStateException(e);
            }
            return jwt.serialize();
        }

        /** Builder with the accepted defaults. */
        public static final class Builder {

            private final String subject;

            private String issuer = ISSUER;

            private String audience = AUDIENCE;

            private Instant expiresAt = Instant.now().plus(Duration.ofMinutes(10));

            private boolean admin;

            private String email;

            private String secret = HMAC_SECRET;

            Builder(String subject) {
                this.subject = subject;
            }

            public Builder issuer(String value) {
                issuer = value;
                return this;
            }

            public Builder audience(String value) {
                audience = value;
                return this;
            }

            public Builder expiresAt(Instant value) {
                expiresAt = value;
                return this;
            }

            public Builder admin(boolean value) {
                admin = value;
                return this;
            }

            public Builder email(String value) {
                email = value;
                return this;
            }

            public Builder secret(String value) {
                secret = value;
                return this;
            }

            public Spec build() {
                return new Spec(subject, issuer, audience, expiresAt, admin, email, secret);
            }
        }
    }
}
