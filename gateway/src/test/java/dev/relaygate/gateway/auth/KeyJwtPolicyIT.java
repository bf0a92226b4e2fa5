package dev.relaygate.gateway.auth;

import static dev.relaygate.gateway.testsupport.TestJwts.base64Url;
import static dev.relaygate.gateway.testsupport.TestJwts.ecKey;
import static dev.relaygate.gateway.testsupport.TestJwts.ecSigner;
import static dev.relaygate.gateway.testsupport.TestJwts.sign;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Date;
import java.util.List;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.relaygate.gateway.testsupport.GatewayIntegrationTest;
import dev.relaygate.gateway.testsupport.Snapshots;
import dev.relaygate.gateway.testsupport.TestKeys;

/** JWT-secured keys through the real gateway: the token decides, a refusal never reaches the upstream. */
class KeyJwtPolicyIT extends GatewayIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_blockNumber\",\"params\":[]}";

    private static final ECKey SIGNING = ecKey("backend-1");

    @Test
    void relaysACallWithAValidToken() {
        String key = jwtSecuredKey(SIGNING.toPublicJWK());
        int before = UPSTREAM.settledRequests();

        call("/v1/anvil/" + key, "Bearer " + sign(JWSAlgorithm.ES256, "backend-1", ecSigner(SIGNING), claims()))
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
                base64Url("{\"alg\":\"none\",\"kid\":\"backend-1\"}") + "." + base64Url(claims().toString()) + ".",
                sign(JWSAlgorithm.HS256, "backend-1", new MACSigner(publicKeyAsSecret), claims()),
                sign(JWSAlgorithm.ES256, "someone-else", ecSigner(SIGNING), claims()),
                sign(JWSAlgorithm.ES256, "backend-1", ecSigner(ecKey("backend-1")), claims()),
                sign(JWSAlgorithm.ES256, "backend-1", ecSigner(SIGNING), new JWTClaimsSet.Builder(claims())
                    .expirationTime(Date.from(Instant.now().minusSeconds(120))).build()),
                sign(JWSAlgorithm.ES256, "backend-1", ecSigner(SIGNING), new JWTClaimsSet.Builder(claims())
                    .audience("another-gateway").build()),
                "not-a-jwt");
        int before = UPSTREAM.settledRequests();

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
            .header("Authorization", "Bearer " + sign(JWSAlgorithm.ES256, "backend-1", ecSigner(SIGNING), claims()))
            .contentType(MediaType.APPLICATION_JSON).bodyValue(CALL)
            .exchange()
            .expectStatus().isOk();
    }

    @Test
    void aKeyWhoseRegisteredKeysAreRefusedRefusesEveryToken() {
        String key = jwtSecuredKey(SIGNING); // the private key, which the control plane would never publish

        call("/v1/anvil/" + key, "Bearer " + sign(JWSAlgorithm.ES256, "backend-1", ecSigner(SIGNING), claims()))
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

}
