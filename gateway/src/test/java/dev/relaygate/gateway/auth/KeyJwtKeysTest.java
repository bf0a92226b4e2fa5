package dev.relaygate.gateway.auth;

import static dev.relaygate.gateway.testsupport.TestJwts.ecKey;
import static dev.relaygate.gateway.testsupport.TestJwts.rsaKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigInteger;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import org.junit.jupiter.api.Test;

import dev.relaygate.gateway.auth.KeyJwtKeyException.Problem;

/** JWT-secured keys, the registration side: which public keys a snapshot may carry, and which entry is bad. */
class KeyJwtKeysTest {

    private static final RSAKey RSA = rsaKey("rsa-1");

    private static final ECKey EC = ecKey("ec-1", Curve.P_256);

    @Test
    void parsesRsaAndEcP256PublicKeys() {
        KeyJwtKeys keys = KeyJwtKeys.parse(List.of(RSA.toPublicJWK().toJSONObject(), EC.toPublicJWK().toJSONObject()));

        assertThat(keys.size()).isEqualTo(2);
        assertThat(keys.find("rsa-1").kid()).isEqualTo("rsa-1");
        assertThat(keys.find("ec-1").kid()).isEqualTo("ec-1");
    }

    @Test
    void parsesAnEmptyListAsNoKeys() {
        assertThat(KeyJwtKeys.parse(List.of()).size()).isZero();
    }

    @Test
    void pinsRsaKeysToRs256AndEcKeysToEs256() {
        KeyJwtKeys keys = KeyJwtKeys.parse(List.of(RSA.toPublicJWK().toJSONObject(), EC.toPublicJWK().toJSONObject()));

        assertThat(keys.find("rsa-1").algorithm().getName()).isEqualTo("RS256");
        assertThat(keys.find("ec-1").algorithm().getName()).isEqualTo("ES256");
    }

    @Test
    void refusesAnRsaPrivateKey() {
        assertRefused(List.of(RSA.toJSONObject()), 0, Problem.PRIVATE_KEY);
    }

    @Test
    void refusesAnEcPrivateKey() {
        assertRefused(List.of(RSA.toPublicJWK().toJSONObject(), EC.toJSONObject()), 1, Problem.PRIVATE_KEY);
    }

    @Test
    void refusesAPublicKeyCarryingSomePrivateParameters() {
        Map<String, Object> partial = RSA.toPublicJWK().toJSONObject();
        partial.put("p", RSA.getFirstPrimeFactor().toString());
        partial.put("q", RSA.getSecondPrimeFactor().toString());

        assertRefused(List.of(partial), 0, Problem.PRIVATE_KEY);
    }

    @Test
    void neverPutsKeyMaterialInTheMessage() {
        KeyJwtKeyException refused = catchThrowableOfType(KeyJwtKeyException.class,
                () -> KeyJwtKeys.parse(List.of(RSA.toJSONObject())));

        assertThat(refused.getMessage()).isEqualTo("jwtPublicKeys[0] contains private key material")
            .doesNotContain(RSA.getPrivateExponent().toString());
    }

    @Test
    void refusesASymmetricKey() {
        assertRefused(List.of(Map.of("kty", "oct", "kid", "hmac", "k", "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA")),
                0, Problem.SYMMETRIC_KEY);
    }

    @Test
    void refusesAnRsaKeyUnder2048Bits() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        RSAKey small = new RSAKey.Builder((RSAPublicKey) generator.generateKeyPair().getPublic()).keyID("small").build();

        assertRefused(List.of(EC.toPublicJWK().toJSONObject(), small.toJSONObject()), 1, Problem.RSA_KEY_SIZE);
    }

    @Test
    void refusesAnRsaKeyOver8192Bits() {
        // Only the modulus length matters for this rule, so any 8200-bit odd number stands in for a real key.
        BigInteger modulus = BigInteger.ONE.shiftLeft(8199).setBit(0);

        assertRefused(List.of(rsaJwk("huge", modulus, BigInteger.valueOf(65537))), 0, Problem.RSA_KEY_SIZE);
    }

    @Test
    void refusesAnRsaKeyWithAHugePublicExponent() {
        BigInteger modulus = RSA.getModulus().decodeToBigInteger();

        assertRefused(List.of(rsaJwk("slow", modulus, BigInteger.ONE.shiftLeft(300).setBit(0))), 0, Problem.RSA_EXPONENT);
    }

    @Test
    void refusesAnRsaKeyWithAnEvenOrTrivialPublicExponent() {
        BigInteger modulus = RSA.getModulus().decodeToBigInteger();

        assertRefused(List.of(rsaJwk("even", modulus, BigInteger.valueOf(65536))), 0, Problem.RSA_EXPONENT);
        assertRefused(List.of(rsaJwk("one", modulus, BigInteger.ONE)), 0, Problem.RSA_EXPONENT);
    }

    @Test
    void refusesAnEcKeyOnP384() {
        assertRefused(List.of(ecKey("p384", Curve.P_384).toPublicJWK().toJSONObject()), 0, Problem.UNSUPPORTED_CURVE);
    }

    @Test
    void refusesAnEcKeyOnSecp256k1() {
        // The generator point of secp256k1 (SEC 2), a valid public point: Ethereum's curve is not ES256's.
        Map<String, Object> k1 = Map.of("kty", "EC", "crv", "secp256k1", "kid", "eth",
                "x", Base64URL.encode(new BigInteger("79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798", 16))
                    .toString(),
                "y", Base64URL.encode(new BigInteger("483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8", 16))
                    .toString());

        assertRefused(List.of(k1), 0, Problem.UNSUPPORTED_CURVE);
    }

    @Test
    void refusesAnEcPointThatIsNotOnTheCurve() {
        Map<String, Object> offCurve = EC.toPublicJWK().toJSONObject();
        offCurve.put("y", EC.getX().toString());

        assertRefused(List.of(offCurve), 0, Problem.NOT_A_JWK);
    }

    @Test
    void refusesAnEd25519Key() {
        // RFC 8037 appendix A.2.
        Map<String, Object> ed = Map.of("kty", "OKP", "crv", "Ed25519", "kid", "ed",
                "x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");

        assertRefused(List.of(ed), 0, Problem.UNSUPPORTED_KEY_TYPE);
    }

    @Test
    void refusesAKeyWithoutKid() {
        Map<String, Object> anonymous = EC.toPublicJWK().toJSONObject();
        anonymous.remove("kid");

        assertRefused(List.of(anonymous), 0, Problem.MISSING_KID);
    }

    @Test
    void refusesTwoKeysWithTheSameKid() {
        Map<String, Object> other = ecKey("ec-1", Curve.P_256).toPublicJWK().toJSONObject();

        assertRefused(List.of(EC.toPublicJWK().toJSONObject(), other), 1, Problem.DUPLICATE_KID);
    }

    @Test
    void refusesAnEntryThatIsNotAJwk() {
        List<Map<String, Object>> withNull = new ArrayList<>();
        withNull.add(null);

        assertRefused(List.of(Map.of("kty", "RSA", "kid", "no-modulus")), 0, Problem.NOT_A_JWK);
        assertRefused(List.of(Map.of("hello", "world")), 0, Problem.NOT_A_JWK);
        assertRefused(withNull, 0, Problem.NOT_A_JWK);
    }

    private static void assertRefused(List<Map<String, Object>> jwks, int index, Problem problem) {
        KeyJwtKeyException refused = catchThrowableOfType(KeyJwtKeyException.class, () -> KeyJwtKeys.parse(jwks));

        assertThat(refused).as("refused").isNotNull();
        assertThat(refused.index()).isEqualTo(index);
        assertThat(refused.problem()).isEqualTo(problem);
        assertThat(refused).hasMessageStartingWith("jwtPublicKeys[" + index + "] ");
    }

    private static Map<String, Object> rsaJwk(String kid, BigInteger modulus, BigInteger exponent) {
        Map<String, Object> jwk = new HashMap<>();
        jwk.put("kty", "RSA");
        jwk.put("kid", kid);
        jwk.put("n", Base64URL.encode(modulus).toString());
        jwk.put("e", Base64URL.encode(exponent).toString());
        return jwk;
    }

}
