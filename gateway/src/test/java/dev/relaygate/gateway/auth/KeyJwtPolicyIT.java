package dev.relaygate.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.relaygate.gateway.testsupport.GatewayIntegrationTest;
import dev.relaygate.gateway.testsupport.Snapshots;
import dev.relaygate.gateway.testsupport.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;

/** JWT-secured keys through the real gateway: the token decides, a refusal never reaches the upstream. */
class KeyJwtPolicyIT extends GatewayIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_blockNumber\",\"params\":[]}";

    private static final ECKey SIGNING = generateEc("backend-1");

    @Test
    void relaysACallWithAValidToken() {
        String key = jwtSecuredKey(SIGNING.toPublicJWK());
        int before = UPSTREAM.requests();

        call("/v1/anvil/" + key, "Bearer " + token(JWSAlgorithm.ES256, "backend-1", ecSigner(SIGNING), claims()))
            .expectStatus().isOk()
            .expectBody().jsonPath("$.result").isEqualTo("0x10");
        assertThat(UPSTREAM.requests() - before).isEqualTo(1);
    }

    @Test
    void refusesACallWithoutTokenAsUnauthorizedWithTheIdEchoed() {
        String key = jwtSecuredKey(SIGNING.toPublicJWK());

        call("/v1/anvil/" + key, null)
            .expectStatus().isUnauthorized()
            .expectBody().jsonPath("$.id").isEqualTo(7).jsonPath("$.error.code").isEqualTo(-32001);
    }

    @Test
    void refusedTokensNeverReachTheUpstream() throws Exception {
        String key = jwtSecuredKey(SIGNING.toPublicJWK());
        byte[] publicKeyAsSecret = SIGNING.toECPublicKey().getEncoded();
        List<String> refused = List.of(
                json("{\"alg\":\"none\",\"kid\":\"backend-1\"}") + "." + json(claims().toString()) + ".",
                token(JWSAlgorithm.HS256, "backend-1", new MACSigner(publicKeyAsSecret), claims()),
                token(JWSAlgorithm.ES256, "someone-else", ecSigner(SIGNING), claims()),
                token(JWSAlgorithm.ES256, "backend-1", ecSigner(generateEc("backend-1")), claims()),
                token(JWSAlgorithm.ES256, "backend-1", ecSigner(SIGNING), new JWTClaimsSet.Builder(claims())
                    .expirationTime(Date.from(Instant.now().minusSeconds(120))).build()),
                token(JWSAlgorithm.ES256, "backend-1", ecSigner(SIGNING), new JWTClaimsSet.Builder(claims())
                    .audience("another-gateway").build()),
                "not-a-jwt");
        int before = UPSTREAM.requests();

        for (String token : refused) {
            call("/v1/anvil/" + key, "Bearer " + token)
                .expectStatus().isUnauthorized()
                .expectBody().jsonPath("$.error.code").isEqualTo(-32001);
        }
        assertThat(UPSTREAM.requests() - before).isZero();
    }

    @Test
    void theApiKeyInAuthorizationIsNotAToken() {
        String key = jwtSecuredKey(SIGNING.toPublicJWK());

        call("/v1/anvil", "Bearer " + key)
            .expectStatus().isUnauthorized();
        client.post().uri("/v1/anvil").header("X-Api-Key", key)
            .header("Authorization", "Bearer " + token(JWSAlgorithm.ES256, "backend-1", ecSigner(SIGNING), claims()))
            .contentType(MediaType.APPLICATION_JSON).bodyValue(CALL)
            .exchange()
            .expectStatus().isOk();
    }

    @Test
    void aKeyWhoseRegisteredKeysAreRefusedRefusesEveryToken() {
        String key = jwtSecuredKey(SIGNING); // the private key, which the control plane would never publish

        call("/v1/anvil/" + key, "Bearer " + token(JWSAlgorithm.ES256, "backend-1", ecSigner(SIGNING), claims()))
            .expectStatus().isUnauthorized();
    }

    private WebTestClient.ResponseSpec call(String path, String authorization) {
        WebTestClient.RequestBodySpec request = client.post().uri(path);
        if (authorization != null) {
            request = request.header("Authorization", authorization);
        }
        return request.contentType(MediaType.APPLICATION_JSON).bodyValue(CALL).exchange();
    }

    private static String jwtSecuredKey(JWK registered) {
        String key = TestKeys.newKey();
        ObjectNode snapshot = Snapshots.keySnapshot(TestKeys.sha256(key));
        ObjectNode policy = (ObjectNode) snapshot.get("policy");
        policy.put("jwtRequired", true);
        ArrayNode keys = policy.putArray("jwtPublicKeys");
        keys.add(JSON.readTree(registered.toJSONString()));
        publishKey(snapshot);
        return key;
    }

    private static JWTClaimsSet claims() {
        return new JWTClaimsSet.Builder().subject("dapp-backend").audience("relaygate")
            .expirationTime(Date.from(Instant.now().plusSeconds(300))).build();
    }

    private static String token(JWSAlgorithm algorithm, String kid, JWSSigner signer, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(kid).build(), claims);
            jwt.sign(signer);
            return jwt.serialize();
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String json(String text) {
        return Base64URL.encode(text.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static JWSSigner ecSigner(ECKey key) {
        try {
            return new ECDSASigner(key);
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ECKey generateEc(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
