package dev.relaygate.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** JWT-secured keys: what is accepted, and every way a token is refused. */
class KeyJwtVerifierTest {

    private static final Instant NOW = Instant.parse("2026-11-23T09:00:00Z");

    private static final RSAKey RSA = generateRsa("rsa-1", 2048);

    private static final ECKey EC = generateEc("ec-1");

    private final KeyJwtKeys keys = KeyJwtKeys.parse(List.of(RSA.toPublicJWK().toJSONObject(),
            EC.toPublicJWK().toJSONObject()));

    private final KeyJwtVerifier verifier = new KeyJwtVerifier("relaygate", Duration.ofSeconds(30),
            Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void acceptsAnRs256TokenFromARegisteredKey() throws Exception {
        KeyJwtDecision decision = verifier.verify(keys, sign(JWSAlgorithm.RS256, "rsa-1", new RSASSASigner(RSA), claims()));

        assertThat(decision.isAccepted()).isTrue();
        assertThat(decision.subject()).isEqualTo("dapp-backend");
        assertThat(decision.kid()).isEqualTo("rsa-1");
    }

    @Test
    void acceptsAnEs256TokenFromARegisteredKey() throws Exception {
        assertThat(verifier.verify(keys, sign(JWSAlgorithm.ES256, "ec-1", signer(EC), claims())).isAccepted()).isTrue();
    }

    @Test
    void refusesAlgNone() throws Exception {
        String header = base64("{\"alg\":\"none\",\"kid\":\"rsa-1\"}");
        String payload = base64(claims().toString());

        assertRefused(header + "." + payload + ".", KeyJwtRefusal.ALG_NOT_ALLOWED);
    }

    @Test
    void refusesHs256SignedWithThePublicKeyAsSecret() throws Exception {
        byte[] publicKeyAsSecret = RSA.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);

        assertRefused(sign(JWSAlgorithm.HS256, "rsa-1", new MACSigner(publicKeyAsSecret), claims()),
                KeyJwtRefusal.ALG_NOT_ALLOWED);
    }

    @Test
    void refusesAnRs256TokenNamingAnEcKeyAndTheReverse() throws Exception {
        assertRefused(sign(JWSAlgorithm.RS256, "ec-1", new RSASSASigner(RSA), claims()), KeyJwtRefusal.ALG_NOT_ALLOWED);
        assertRefused(sign(JWSAlgorithm.ES256, "rsa-1", signer(EC), claims()), KeyJwtRefusal.ALG_NOT_ALLOWED);
    }

    @Test
    void refusesAnUnknownKid() throws Exception {
        assertRefused(sign(JWSAlgorithm.RS256, "someone-else", new RSASSASigner(RSA), claims()), KeyJwtRefusal.UNKNOWN_KID);
    }

    @Test
    void refusesATokenWithoutKidWhenSeveralKeysAreRegistered() throws Exception {
        assertRefused(sign(JWSAlgorithm.RS256, null, new RSASSASigner(RSA), claims()), KeyJwtRefusal.UNKNOWN_KID);
    }

    @Test
    void refusesATokenSignedByAnUnregisteredKeyClaimingARegisteredKid() throws Exception {
        RSAKey impostor = generateRsa("rsa-1", 2048);

        assertRefused(sign(JWSAlgorithm.RS256, "rsa-1", new RSASSASigner(impostor), claims()), KeyJwtRefusal.BAD_SIGNATURE);
    }

    @Test
    void refusesATamperedPayload() throws Exception {
        String[] parts = sign(JWSAlgorithm.RS256, "rsa-1", new RSASSASigner(RSA), claims()).split("\\.");
        String tampered = base64(new JWTClaimsSet.Builder(claims()).subject("admin").build().toString());

        assertRefused(parts[0] + "." + tampered + "." + parts[2], KeyJwtRefusal.BAD_SIGNATURE);
    }

    @Test
    void refusesAnExpiredTokenButAcceptsOneWithinTheClockSkew() throws Exception {
        JWTClaimsSet expired = new JWTClaimsSet.Builder(claims()).expirationTime(Date.from(NOW.minusSeconds(31))).build();
        JWTClaimsSet justExpired = new JWTClaimsSet.Builder(claims()).expirationTime(Date.from(NOW.minusSeconds(10))).build();

        assertRefused(sign(JWSAlgorithm.RS256, "rsa-1", new RSASSASigner(RSA), expired), KeyJwtRefusal.EXPIRED);
        assertThat(verifier.verify(keys, sign(JWSAlgorithm.RS256, "rsa-1", new RSASSASigner(RSA), justExpired))
            .isAccepted()).isTrue();
    }

    @Test
    void refusesATokenNotYetValid() throws Exception {
        JWTClaimsSet future = new JWTClaimsSet.Builder(claims()).notBeforeTime(Date.from(NOW.plusSeconds(120))).build();

        assertRefused(sign(JWSAlgorithm.RS256, "rsa-1", new RSASSASigner(RSA), future), KeyJwtRefusal.NOT_YET_VALID);
    }

    @Test
    void refusesAnotherAudience() throws Exception {
        JWTClaimsSet other = new JWTClaimsSet.Builder(claims()).audience("someone-else").build();

        assertRefused(sign(JWSAlgorithm.RS256, "rsa-1", new RSASSASigner(RSA), other), KeyJwtRefusal.WRONG_AUDIENCE);
    }

    @Test
    void refusesATokenWithoutExpiry() throws Exception {
        JWTClaimsSet forever = new JWTClaimsSet.Builder(claims()).expirationTime(null).build();

        assertRefused(sign(JWSAlgorithm.RS256, "rsa-1", new RSASSASigner(RSA), forever), KeyJwtRefusal.MISSING_EXP);
    }

    @Test
    void refusesMalformedTokens() throws Exception {
        assertRefused(null, KeyJwtRefusal.MISSING);
        assertRefused("garbage", KeyJwtRefusal.MALFORMED);
        assertRefused("a.b", KeyJwtRefusal.MALFORMED);
        assertRefused("x".repeat(KeyJwtVerifier.MAX_TOKEN_LENGTH + 1), KeyJwtRefusal.MALFORMED);
    }

    @Test
    void refusesToRegisterPrivateSymmetricOrWeakKeys() throws Exception {
        assertThatThrownBy(() -> KeyJwtKeys.parse(List.of(RSA.toJSONObject())))
            .hasMessageContaining("jwtPublicKeys[0]").hasMessageContaining("private");
        assertThatThrownBy(() -> KeyJwtKeys.parse(List.of(Map.of("kty", "oct", "k", "c2VjcmV0"))))
            .hasMessageContaining("jwtPublicKeys[0]");
        assertThatThrownBy(() -> KeyJwtKeys.parse(List.of(EC.toPublicJWK().toJSONObject(),
                smallRsa().toJSONObject())))
            .hasMessageContaining("jwtPublicKeys[1]").hasMessageContaining("2048");
        assertThatThrownBy(() -> KeyJwtKeys.parse(List.of(generateEcOn(Curve.P_384).toPublicJWK().toJSONObject())))
            .hasMessageContaining("P-256");
    }

    private void assertRefused(String token, KeyJwtRefusal expected) {
        KeyJwtDecision decision = verifier.verify(keys, token);
        assertThat(decision.isAccepted()).isFalse();
        assertThat(decision.refusal()).isEqualTo(expected);
    }

    private static JWTClaimsSet claims() {
        return new JWTClaimsSet.Builder()
            .subject("dapp-backend")
            .audience("relaygate")
            .issueTime(Date.from(NOW))
            .expirationTime(Date.from(NOW.plusSeconds(300)))
            .build();
    }

    private static String sign(JWSAlgorithm algorithm, String kid, JWSSigner signer, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(kid).build(), claims);
            jwt.sign(signer);
            return jwt.serialize();
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JWSSigner signer(ECKey key) {
        try {
            return new ECDSASigner(key);
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static RSAKey generateRsa(String kid, int bits) {
        try {
            return new RSAKeyGenerator(bits).keyID(kid).generate();
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A 1024-bit RSA key, which nimbus's own generator refuses to make. */
    private static RSAKey smallRsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        return new RSAKey.Builder((RSAPublicKey) generator.generateKeyPair().getPublic()).keyID("small").build();
    }

    private static ECKey generateEc(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ECKey generateEcOn(Curve curve) {
        try {
            return new ECKeyGenerator(curve).generate();
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
