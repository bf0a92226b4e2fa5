package dev.relaygate.controlplane.testsupport;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import java.util.Date;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * An identity provider's JWKS endpoint for tests: WireMock on a free loopback port, started once per JVM,
 * serving the public half of {@link #KEY}.
 */
public final class TestJwks {

    public static final String KID = "test-rsa-1";

    public static final RSAKey KEY = JwkFixtures.rsa(KID, 2048);

    private static WireMockServer server;

    private TestJwks() {
    }

    public static synchronized String url() {
        if (server == null) {
            server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
            server.start();
            server.stubFor(get("/.well-known/jwks.json").willReturn(aResponse()
                .withHeader("Content-Type", "application/json")
                .withBody(new JWKSet(KEY.toPublicJWK()).toString())));
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "test-jwks-stop"));
        }
        return "http://127.0.0.1:" + server.port() + "/.well-known/jwks.json";
    }

    /** Signs claims with RS256 and the given key, naming its kid. */
    public static String sign(JWTClaimsSet claims, RSAKey key) {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        try {
            jwt.sign(new RSASSASigner(key));
        }
        catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    /** Claims the test application accepts, for {@code subject}. */
    public static JWTClaimsSet.Builder claims(String subject) {
        return new JWTClaimsSet.Builder()
            .subject(subject)
            .issuer(Tokens.ISSUER)
            .audience(Tokens.AUDIENCE)
            .issueTime(new Date())
            .expirationTime(new Date(System.currentTimeMillis() + 600_000));
    }
}
