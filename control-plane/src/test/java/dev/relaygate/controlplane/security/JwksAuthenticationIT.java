package dev.relaygate.controlplane.security;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;

import dev.relaygate.controlplane.testsupport.IntegrationTest;
import dev.relaygate.controlplane.testsupport.JwkFixtures;
import dev.relaygate.controlplane.testsupport.TestJwks;

/**
 * User tokens verified against an identity provider's JWKS (RS256 pinned), and every way a token must be
 * refused.
 */
class JwksAuthenticationIT extends IntegrationTest {

    @Test
    void acceptsATokenSignedByAKeyOfTheJwks() {
        String token = TestJwks.sign(TestJwks.claims(uniqueSubject("oidc")).build(), TestJwks.KEY);

        call(token, HttpMethod.GET, "/v1/organizations", null).expectStatus().isOk();
    }

    @Test
    void refusesAnUnsignedTokenWithAlgNone() {
        String header = base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        String claims = base64Url(TestJwks.claims("attacker").build().toString());

        expectUnauthorized(header + "." + claims + ".");
    }

    @Test
    void refusesAWrongIssuer() {
        expectUnauthorized(TestJwks.sign(TestJwks.claims("u").issuer("https://other-idp.example").build(),
                TestJwks.KEY));
    }

    @Test
    void refusesAWrongAudience() {
        expectUnauthorized(TestJwks.sign(TestJwks.claims("u").audience("some-other-api").build(), TestJwks.KEY));
    }

    @Test
    void refusesAnExpiredToken() {
        expectUnauthorized(TestJwks.sign(TestJwks.claims("u")
            .expirationTime(new Date(System.currentTimeMillis() - 3_600_000)).build(), TestJwks.KEY));
    }

    @Test
    void refusesAnUnknownKid() {
        expectUnauthorized(TestJwks.sign(TestJwks.claims("u").build(), JwkFixtures.rsa("not-in-the-jwks", 2048)));
    }

    @Test
    void refusesAKnownKidWithAForeignSignature() {
        expectUnauthorized(TestJwks.sign(TestJwks.claims("u").build(), JwkFixtures.rsa(TestJwks.KID, 2048)));
    }

    @Test
    void refusesAnAlgorithmOtherThanThePinnedOne() throws JOSEException {
        var ec = JwkFixtures.ec(TestJwks.KID);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(TestJwks.KID).build(),
                TestJwks.claims("u").build());
        jwt.sign(new ECDSASigner(ec));

        expectUnauthorized(jwt.serialize());
    }

    @Test
    void refusesHs256SignedWithThePublicKeyOfTheJwks() throws JOSEException {
        // Algorithm confusion: an HS256 token whose "secret" is the provider's public key.
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(TestJwks.KID).build(),
                TestJwks.claims("u").build());
        byte[] publicKey = TestJwks.KEY.toRSAPublicKey().getEncoded();
        jwt.sign(new MACSigner(Arrays.copyOf(publicKey, Math.max(publicKey.length, 32))));

        expectUnauthorized(jwt.serialize());
    }

    @Test
    void refusesATokenWithoutSubject() {
        JWTClaimsSet claims = new JWTClaimsSet.Builder(TestJwks.claims("u").build()).subject(null).build();

        expectUnauthorized(TestJwks.sign(claims, TestJwks.KEY));
    }

    private void expectUnauthorized(String token) {
        call(token, HttpMethod.GET, "/v1/organizations", null)
            .expectStatus().isUnauthorized()
            .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .expectBody().jsonPath("$.detail").isEqualTo("The bearer token is not valid");
    }

    private static String base64Url(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
