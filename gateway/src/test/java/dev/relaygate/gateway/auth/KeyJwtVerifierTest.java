package dev.relaygate.gateway.auth;

import static dev.relaygate.gateway.testsupport.TestJwts.base64Url;
import static dev.relaygate.gateway.testsupport.TestJwts.ecKey;
import static dev.relaygate.gateway.testsupport.TestJwts.ecSigner;
import static dev.relaygate.gateway.testsupport.TestJwts.rsaKey;
import static dev.relaygate.gateway.testsupport.TestJwts.rsaSigner;
import static dev.relaygate.gateway.testsupport.TestJwts.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** JWT-secured keys, the token side: what is accepted, and each way a token is refused. */
class KeyJwtVerifierTest {

    private static final Instant NOW = Instant.parse("2026-11-23T09:00:00Z");

    private static final RSAKey RSA = rsaKey("rsa-1");

    private static final ECKey EC = ecKey("ec-1");

    private final KeyJwtKeys keys = KeyJwtKeys.parse(List.of(RSA.toPublicJWK().toJSONObject(),
            EC.toPublicJWK().toJSONObject()));

    private final KeyJwtVerifier verifier = new KeyJwtVerifier("relaygate", Duration.ofSeconds(30),
            Clock.fixed(NOW, ZoneOffset.UTC));

    // --- accepted ---

    @Test
    void acceptsAnRs256TokenSignedByARegisteredRsaKey() {
        KeyJwtDecision decision = verifier.verify(keys, sign(JWSAlgorithm.RS256, "rsa-1", rsaSigner(RSA), claims().build()));

        assertThat(decision.isAccepted()).isTrue();
        assertThat(decision.refusal()).isNull();
        assertThat(decision.subject()).isEqualTo("dapp-backend");
        assertThat(decision.kid()).isEqualTo("rsa-1");
    }

    @Test
    void acceptsAnEs256TokenSignedByARegisteredEcKey() {
        KeyJwtDecision decision = verifier.verify(keys, sign(JWSAlgorithm.ES256, "ec-1", ecSigner(EC), claims().build()));

        assertThat(decision.isAccepted()).isTrue();
        assertThat(decision.kid()).isEqualTo("ec-1");
    }

    @Test
    void acceptsATokenWithoutKidWhenExactlyOneKeyIsRegistered() {
        KeyJwtKeys single = KeyJwtKeys.parse(List.of(EC.toPublicJWK().toJSONObject()));

        KeyJwtDecision decision = verifier.verify(single, sign(JWSAlgorithm.ES256, null, ecSigner(EC), claims().build()));

        assertThat(decision.isAccepted()).isTrue();
        assertThat(decision.kid()).isEqualTo("ec-1");
    }

    @Test
    void acceptsAnAudienceListThatContainsThisGateway() {
        JWTClaimsSet several = claims().audience(List.of("other-service", "relaygate")).build();

        assertThat(verifier.verify(keys, sign(JWSAlgorithm.RS256, "rsa-1", rsaSigner(RSA), several)).isAccepted()).isTrue();
    }

    @Test
    void acceptsATokenWithoutSubject() {
        KeyJwtDecision decision = verifier.verify(keys, sign(JWSAlgorithm.RS256, "rsa-1", rsaSigner(RSA),
                claims().subject(null).build()));

        assertThat(decision.isAccepted()).isTrue();
        assertThat(decision.subject()).isNull();
    }

    @Test
    void acceptsATokenExpiredLessThanTheClockSkewAgo() {
        JWTClaimsSet justExpired = claims().expirationTime(Date.from(NOW.minusSeconds(29))).build();

        assertThat(verifier.verify(keys, sign(JWSAlgorithm.RS256, "rsa-1", rsaSigner(RSA), justExpired)).isAccepted())
            .isTrue();
    }

    @Test
    void acceptsATokenValidFromWithinTheClockSkew() {
        JWTClaimsSet almostValid = claims().notBeforeTime(Date.from(NOW.plusSeconds(30))).build();

        assertThat(verifier.verify(keys, sign(JWSAlgorithm.RS256, "rsa-1", rsaSigner(RSA), almostValid)).isAccepted())
            .isTrue();
    }

    // --- MISSING ---

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   ", "\t"})
    void refusesAMissingToken(String absent) {
        assertRefused(absent, KeyJwtRefusal.MISSING);
    }

    // --- ALG_NOT_ALLOWED ---

    @ParameterizedTest
    @ValueSource(strings = {"none", "None", "NONE"})
    void refusesAlgNone(String none) {
        String unsecured = base64Url("{\"alg\":\"" + none + "\",\"kid\":\"rsa-1\"}") + "." + base64Url(claims().build().toString()) + ".";

        assertRefused(unsecured, KeyJwtRefusal.ALG_NOT_ALLOWED);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("publicKeysAsHmacSecrets")
    void refusesHs256SignedWithARegisteredPublicKeyAsTheSecret(String form, String kid, byte[] secret) throws Exception {
        String confused = sign(JWSAlgorithm.HS256, kid, new MACSigner(secret), claims().build());

        assertRefused(confused, KeyJwtRefusal.ALG_NOT_ALLOWED);
    }

    static Stream<Arguments> publicKeysAsHmacSecrets() throws Exception {
        byte[] rsaDer = RSA.toRSAPublicKey().getEncoded();
        String rsaPem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(rsaDer)
                + "\n-----END PUBLIC KEY-----\n";
        return Stream.of(
                Arguments.of("RSA public key, DER", "rsa-1", rsaDer),
                Arguments.of("RSA public key, PEM", "rsa-1",
                        rsaPem.getBytes(StandardCharsets.US_ASCII)),
                Arguments.of("RSA public key, JWK JSON", "rsa-1",
                        RSA.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)),
                Arguments.of("EC public key, DER", "ec-1",
                        EC.toECPublicKey().getEncoded()));
    }

    @Test
    void refusesHs256SignedWithAnySecret() throws Exception {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);

        assertRefused(sign(JWSAlgorithm.HS256, "rsa-1", new MACSigner(secret), claims().build()),
                KeyJwtRefusal.ALG_NOT_ALLOWED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"HS384", "HS512", "RS384", "RS512", "PS256", "ES384", "ES512", "ES256K", "EdDSA", "rs256", ""})
    void refusesEveryAlgorithmButRs256AndEs256(String alg) {
        String token = base64Url("{\"alg\":\"" + alg + "\",\"kid\":\"rsa-1\"}") + "." + base64Url(claims().build().toString())
                + "." + base64Url("not-a-signature");

        assertRefused(token, KeyJwtRefusal.ALG_NOT_ALLOWED);
    }

    @Test
    void refusesAnRs256TokenNamingAnEcKey() {
        assertRefused(sign(JWSAlgorithm.RS256, "ec-1", rsaSigner(RSA), claims().build()), KeyJwtRefusal.ALG_NOT_ALLOWED);
    }

    @Test
    void refusesAnEs256TokenNamingAnRsaKey() {
        assertRefused(sign(JWSAlgorithm.ES256, "rsa-1", ecSigner(EC), claims().build()), KeyJwtRefusal.ALG_NOT_ALLOWED);
    }

    // --- UNKNOWN_KID ---

    @Test
    void refusesAnUnknownKid() {
        assertRefused(sign(JWSAlgorithm.RS256, "someone-else", rsaSigner(RSA), claims().build()), KeyJwtRefusal.UNKNOWN_KID);
    }

    @Test
    void refusesATokenWithoutKidWhenSeveralKeysAreRegistered() {
        assertRefused(sign(JWSAlgorithm.RS256, null, rsaSigner(RSA), claims().build()), KeyJwtRefusal.UNKNOWN_KID);
    }

    @Test
    void refusesEveryTokenWhenNoKeyIsRegistered() {
        KeyJwtDecision decision = verifier.verify(KeyJwtKeys.none(),
                sign(JWSAlgorithm.RS256, null, rsaSigner(RSA), claims().build()));

        assertThat(decision.refusal()).isEqualTo(KeyJwtRefusal.UNKNOWN_KID);
    }

    // --- BAD_SIGNATURE ---

    @Test
    void refusesATamperedPayload() {
        String[] parts = sign(JWSAlgorithm.RS256, "rsa-1", rsaSigner(RSA), claims().build()).split("\\.");
        String tampered = base64Url(claims().subject("admin").build().toString());

        assertRefused(parts[0] + "." + tampered + "." + parts[2], KeyJwtRefusal.BAD_SIGNATURE);
    }

    @Test
    void refusesATokenSignedByAnUnregisteredKeyClaimingARegisteredKid() {
        RSAKey impostor = rsaKey("rsa-1");

        assertRefused(sign(JWSAlgorithm.RS256, "rsa-1", rsaSigner(impostor), claims().build()), KeyJwtRefusal.BAD_SIGNATURE);
    }

    @Test
    void ignoresAKeyEmbeddedInTheTokenHeader() throws Exception {
        RSAKey attacker = rsaKey("rsa-1");
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1")
            .jwk(attacker.toPublicJWK()).build(), claims().build());
        jwt.sign(rsaSigner(attacker));

        assertRefused(jwt.serialize(), KeyJwtRefusal.BAD_SIGNATURE);
    }

    @Test
    void refusesAnRs256TokenWithAnEmptySignature() {
        String[] parts = sign(JWSAlgorithm.RS256, "rsa-1", rsaSigner(RSA), claims().build()).split("\\.");

        assertRefused(parts[0] + "." + parts[1] + ".", KeyJwtRefusal.BAD_SIGNATURE);
    }

    @Test
    void refusesAnEs256TokenWhoseSignatureIsAllZeros() {
        // CVE-2022-21449 ("psychic signatures"): r = s = 0 verified on some JDKs.
        String[] parts = sign(JWSAlgorithm.ES256, "ec-1", ecSigner(EC), claims().build()).split("\\.");

        assertRefused(parts[0] + "." + parts[1] + "." + Base64URL.encode(new byte[64]), KeyJwtRefusal.BAD_SIGNATURE);
    }

    // --- EXPIRED, NOT_YET_VALID, MISSING_EXP ---

    @Test
    void refusesAnExpiredToken() {
        JWTClaimsSet expired = claims().expirationTime(Date.from(NOW.minusSeconds(31))).build();

        assertRefused(sign(JWSAlgorithm.RS256, "rsa-1", rsaSigner(RSA), expired), KeyJwtRefusal.EXPIRED);
    }

    @Test
    void refusesATokenThatExpiredExactlyOneClockSkewAgo() {
        JWTClaimsSet expired = claims().expirationTime(Date.from(NOW.minusSeconds(30))).build();

        assertRefused(sign(JWSAlgorithm.RS256, "rsa-1", rsaSigner(RSA), expired), KeyJwtRefusal.EXPIRED);
    }

    @Test
    void refusesATokenNotYetValid() {
        JWTClaimsSet future = claims().notBeforeTime(Date.from(NOW.plusSeconds(31))).build();

        assertRefused(sign(JWSAlgorithm.RS256, "rsa-1", rsaSigner(RSA), future), KeyJwtRefusal.NOT_YET_VALID);
    }

    @Test
    void refusesATokenWithoutExpiry() {
        JWTClaimsSet forever = claims().expirationTime(null).build();

        assertRefused(sign(JWSAlgorithm.RS256, "rsa-1", rsaSigner(RSA), forever), KeyJwtRefusal.MISSING_EXP);
    }

    // --- WRONG_AUDIENCE ---

    @Test
    void refusesAnotherAudience() {
        JWTClaimsSet other = claims().audience("someone-else").build();

        assertRefused(sign(JWSAlgorithm.RS256, "rsa-1", rsaSigner(RSA), other), KeyJwtRefusal.WRONG_AUDIENCE);
    }

    @Test
    void refusesATokenWithoutAudience() {
        JWTClaimsSet none = claims().audience((String) null).build();

        assertRefused(sign(JWSAlgorithm.RS256, "rsa-1", rsaSigner(RSA), none), KeyJwtRefusal.WRONG_AUDIENCE);
    }

    // --- MALFORMED ---

    @Test
    void refusesGarbage() {
        assertRefused("garbage", KeyJwtRefusal.MALFORMED);
    }

    @Test
    void refusesATokenWithTwoSegments() {
        String[] parts = sign(JWSAlgorithm.RS256, "rsa-1", rsaSigner(RSA), claims().build()).split("\\.");

        assertRefused(parts[0] + "." + parts[1], KeyJwtRefusal.MALFORMED);
    }

    @Test
    void refusesAHugeTokenEvenWhenValidlySigned() {
        JWTClaimsSet bloated = claims().claim("padding", "x".repeat(KeyJwtVerifier.MAX_TOKEN_LENGTH)).build();

        assertRefused(sign(JWSAlgorithm.RS256, "rsa-1", rsaSigner(RSA), bloated), KeyJwtRefusal.MALFORMED);
    }

    @Test
    void refusesAnEncryptedToken() {
        assertRefused(base64Url("{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\"}") + ".a.b.c.d", KeyJwtRefusal.MALFORMED);
    }

    @ParameterizedTest
    @ValueSource(strings = {" ", "=", "+", "/", "\n", "é"})
    void refusesCharactersOutsideBase64Url(String intruder) {
        String token = sign(JWSAlgorithm.RS256, "rsa-1", rsaSigner(RSA), claims().build());

        assertRefused(token.substring(0, 10) + intruder + token.substring(10), KeyJwtRefusal.MALFORMED);
    }

    @Test
    void refusesAnEmptyHeaderOrPayload() {
        String[] parts = sign(JWSAlgorithm.RS256, "rsa-1", rsaSigner(RSA), claims().build()).split("\\.");

        assertRefused("." + parts[1] + "." + parts[2], KeyJwtRefusal.MALFORMED);
        assertRefused(parts[0] + ".." + parts[2], KeyJwtRefusal.MALFORMED);
    }

    @Test
    void refusesAHeaderThatIsNotJson() {
        assertRefused(base64Url("RS256") + "." + base64Url(claims().build().toString()) + ".c2ln", KeyJwtRefusal.MALFORMED);
    }

    @Test
    void refusesAHeaderWithoutAlg() {
        assertRefused(base64Url("{\"kid\":\"rsa-1\"}") + "." + base64Url(claims().build().toString()) + ".c2ln",
                KeyJwtRefusal.MALFORMED);
    }

    @Test
    void refusesAHeaderWithADuplicateAlg() {
        assertRefused(base64Url("{\"alg\":\"none\",\"alg\":\"RS256\",\"kid\":\"rsa-1\"}") + "." + base64Url(claims().build().toString())
                + ".c2ln", KeyJwtRefusal.MALFORMED);
    }

    @Test
    void refusesADeeplyNestedHeaderWithoutFailing() {
        String deep = "{\"alg\":\"RS256\",\"x\":" + "[".repeat(3000) + "]".repeat(3000) + "}";

        assertRefused(base64Url(deep) + "." + base64Url(claims().build().toString()) + ".c2ln", KeyJwtRefusal.MALFORMED);
    }

    @Test
    void refusesValidlySignedClaimsThatAreNotAJsonObject() throws Exception {
        String header = base64Url("{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}");
        String payload = base64Url("[\"not\",\"an\",\"object\"]");
        Base64URL signature = rsaSigner(RSA).sign(JWSHeader.parse(new Base64URL(header)),
                (header + "." + payload).getBytes(StandardCharsets.US_ASCII));

        assertRefused(header + "." + payload + "." + signature, KeyJwtRefusal.MALFORMED);
    }

    @Test
    void refusesACriticalHeaderExtensionItDoesNotUnderstand() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1")
            .criticalParams(Set.of("exp-by-block")).customParam("exp-by-block", 123).build(), claims().build());
        jwt.sign(rsaSigner(RSA));

        assertRefused(jwt.serialize(), KeyJwtRefusal.MALFORMED);
    }

    // --- hygiene ---

    @Test
    void keepsNothingOfARefusedTokenInTheDecision() {
        String token = sign(JWSAlgorithm.RS256, "rsa-1", rsaSigner(RSA), claims().audience("someone-else").build());

        KeyJwtDecision decision = verifier.verify(keys, token);

        assertThat(decision).isEqualTo(new KeyJwtDecision(KeyJwtRefusal.WRONG_AUDIENCE, null, null));
        assertThat(decision.toString()).doesNotContain(token.split("\\.")[1]).doesNotContain("dapp-backend");
    }

    @Test
    void verifiesOnANonBlockingThreadWithoutBlocking() {
        // BlockHound is installed in every gateway test JVM: a blocking call here would fail the Mono.
        String rs256 = sign(JWSAlgorithm.RS256, "rsa-1", rsaSigner(RSA), claims().build());
        String es256 = sign(JWSAlgorithm.ES256, "ec-1", ecSigner(EC), claims().build());
        KeyJwtKeys fresh = KeyJwtKeys.parse(List.of(RSA.toPublicJWK().toJSONObject(), EC.toPublicJWK().toJSONObject()));

        Mono<List<Boolean>> onEventLoop = Mono.fromCallable(() -> List.of(
                verifier.verify(fresh, rs256).isAccepted(), verifier.verify(fresh, es256).isAccepted()))
            .subscribeOn(Schedulers.parallel());

        StepVerifier.create(onEventLoop).expectNext(List.of(true, true)).verifyComplete();
    }

    @Test
    void refusesAClockSkewOverFiveMinutes() {
        assertThatThrownBy(() -> new KeyJwtVerifier("relaygate", Duration.ofMinutes(6), Clock.systemUTC()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clock skew");
        assertThatThrownBy(() -> new KeyJwtVerifier("relaygate", Duration.ofSeconds(-1), Clock.systemUTC()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clock skew");
    }

    @Test
    void refusesABlankAudience() {
        assertThatThrownBy(() -> new KeyJwtVerifier(" ", Duration.ofSeconds(30), Clock.systemUTC()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("audience");
    }

    // --- helpers ---

    private void assertRefused(String token, KeyJwtRefusal expected) {
        KeyJwtDecision decision = verifier.verify(keys, token);

        assertThat(decision.isAccepted()).as("accepted").isFalse();
        assertThat(decision.refusal()).isEqualTo(expected);
    }

    private static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder()
            .subject("dapp-backend")
            .audience("relaygate")
            .issueTime(Date.from(NOW))
            .expirationTime(Date.from(NOW.plusSeconds(300)));
    }

}
