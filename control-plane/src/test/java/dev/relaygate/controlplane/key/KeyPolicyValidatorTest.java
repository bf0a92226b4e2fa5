package dev.relaygate.controlplane.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.relaygate.controlplane.testsupport.JwkFixtures;
import dev.relaygate.controlplane.web.ApiException;

/** Validation and normalisation of key policies. */
class KeyPolicyValidatorTest {

    private static KeyPolicyRequest only(List<String> chains, List<String> origins, List<String> cidrs) {
        return new KeyPolicyRequest(chains, origins, cidrs, null, null, null, null);
    }

    @Test
    void anAbsentPolicyIsOpen() {
        assertThat(KeyPolicyValidator.validate(null)).isEqualTo(KeyPolicy.OPEN);
    }

    @ParameterizedTest
    @CsvSource({ "203.0.113.7/24, 203.0.113.0/24", "203.0.113.7, 203.0.113.7/32", "2001:db8::1/32, 2001:db8:0:0:0:0:0:0/32",
            "10.0.0.0/8, 10.0.0.0/8" })
    void normalisesCidrs(String given, String stored) {
        assertThat(KeyPolicyValidator.cidr(given)).isEqualTo(stored);
    }

    @ParameterizedTest
    @ValueSource(strings = { "example.com", "10.0.0.0/33", "300.1.1.1", "::1/129", "localhost", "1.2.3.4/x" })
    void refusesWhatIsNotACidr(String given) {
        assertThat(KeyPolicyValidator.cidr(given)).isNull();
    }

    @ParameterizedTest
    @CsvSource({ "https://App.Example.com, https://app.example.com", "http://localhost:3000, http://localhost:3000",
            "*.example.org, *.example.org" })
    void normalisesOrigins(String given, String stored) {
        assertThat(KeyPolicyValidator.origin(given)).isEqualTo(stored);
    }

    @ParameterizedTest
    @ValueSource(strings = { "ftp://example.com", "https://example.com/path", "example.com", "https://u@example.com",
            "*", "https://example.com?x=1" })
    void refusesWhatIsNotAnOrigin(String given) {
        assertThat(KeyPolicyValidator.origin(given)).isNull();
    }

    @Test
    void listsEveryInvalidEntryAsAFieldProblem() {
        KeyPolicyRequest request = new KeyPolicyRequest(List.of("eth-mainnet", "Bad Chain"), List.of("nope"),
                List.of("1.2.3.4/40"), List.of("eth_call"), List.of("eth_call"), null, null);

        assertThatThrownBy(() -> KeyPolicyValidator.validate(request))
            .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.fieldProblems())
                .extracting(ApiException.FieldProblem::field)
                .containsExactlyInAnyOrder("policy.allowedChains[1]", "policy.allowedOrigins[0]",
                        "policy.allowedCidrs[0]", "policy.deniedMethods"));
    }

    @Test
    void acceptsJwksAndPemAndPublishesPublicJwks() throws JOSEException {
        var rsa = JwkFixtures.rsa("rsa-1", 2048);
        var ec = JwkFixtures.ec(null);
        KeyPolicyRequest request = new KeyPolicyRequest(null, null, null, null, null, true,
                List.of(rsa.toPublicJWK().toJSONObject(), JwkFixtures.pem(ec.toECPublicKey())));

        KeyPolicy policy = KeyPolicyValidator.validate(request);

        assertThat(policy.jwtRequired()).isTrue();
        assertThat(policy.jwtPublicKeys()).hasSize(2);
        assertThat(policy.jwtPublicKeys().get(0)).containsEntry("kid", "rsa-1").containsEntry("kty", "RSA")
            .doesNotContainKey("d");
        assertThat(policy.jwtPublicKeys().get(1)).containsEntry("kty", "EC").containsEntry("crv", "P-256")
            .containsEntry("kid", ec.computeThumbprint().toString());
    }

    @Test
    void refusesPrivateWeakAndMalformedJwtKeys() {
        var weak = JwkFixtures.weakRsa();
        KeyPolicyRequest request = new KeyPolicyRequest(null, null, null, null, null, false,
                List.of(JwkFixtures.rsa("private", 2048).toJSONObject(), weak.toPublicJWK().toJSONObject(),
                        Map.of("kty", "RSA"), "-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----"));

        assertThatThrownBy(() -> KeyPolicyValidator.validate(request))
            .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.fieldProblems())
                .extracting(ApiException.FieldProblem::field)
                .containsExactly("policy.jwtPublicKeys[0]", "policy.jwtPublicKeys[1]", "policy.jwtPublicKeys[2]",
                        "policy.jwtPublicKeys[3]"));
    }

    @Test
    void refusesRsaKeysTheGatewayWouldRefuse() {
        RSAKey usable = JwkFixtures.rsa("usable", 2048);
        KeyPolicyRequest request = new KeyPolicyRequest(null, null, null, null, null, false,
                List.of(rsaJwk("even", usable, BigInteger.valueOf(65538)), rsaJwk("one", usable, BigInteger.ONE),
                        rsaJwk("huge", usable, BigInteger.ONE.shiftLeft(256).add(BigInteger.ONE)),
                        rsaJwk("f4", usable, BigInteger.valueOf(65537))));

        assertThatThrownBy(() -> KeyPolicyValidator.validate(request))
            .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.fieldProblems())
                .extracting(ApiException.FieldProblem::field)
                .containsExactly("policy.jwtPublicKeys[0]", "policy.jwtPublicKeys[1]", "policy.jwtPublicKeys[2]"));
    }

    /** {@code key}'s modulus with another public exponent, as a JWK object. */
    private static Map<String, Object> rsaJwk(String kid, RSAKey key, BigInteger exponent) {
        return new RSAKey.Builder(key.getModulus(), Base64URL.encode(exponent)).keyID(kid).build().toJSONObject();
    }

    @Test
    void refusesEcKeysOffP256BecauseGatewaysVerifyEs256Only() throws JOSEException {
        var p384 = new ECKeyGenerator(Curve.P_384).keyID("p384").generate();
        KeyPolicyRequest request = new KeyPolicyRequest(null, null, null, null, null, false,
                List.of(p384.toPublicJWK().toJSONObject()));

        assertThatThrownBy(() -> KeyPolicyValidator.validate(request))
            .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.fieldProblems())
                .extracting(ApiException.FieldProblem::field)
                .containsExactly("policy.jwtPublicKeys[0]"));
    }

    @Test
    void requiringJwtsNeedsAKeyToCheckThem() {
        KeyPolicyRequest request = new KeyPolicyRequest(null, null, null, null, null, true, List.of());

        assertThatThrownBy(() -> KeyPolicyValidator.validate(request))
            .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.fieldProblems())
                .extracting(ApiException.FieldProblem::field).containsExactly("policy.jwtRequired"));
    }

    @Test
    void duplicatesAreDroppedAndOrderKept() {
        KeyPolicy policy = KeyPolicyValidator.validate(only(List.of("anvil", "eth-mainnet", "anvil"), null, null));

        assertThat(policy.allowedChains()).containsExactly("anvil", "eth-mainnet");
    }
}
