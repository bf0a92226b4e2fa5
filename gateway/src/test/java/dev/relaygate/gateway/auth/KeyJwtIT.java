package dev.relaygate.gateway.auth;

import static dev.relaygate.gateway.testsupport.TestJwts.base64Url;
import static dev.relaygate.gateway.testsupport.TestJwts.macSigner;
import static dev.relaygate.gateway.testsupport.TestJwts.rsaKey;
import static dev.relaygate.gateway.testsupport.TestJwts.rsaSigner;
import static dev.relaygate.gateway.testsupport.TestJwts.sign;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.function.Supplier;
import java.util.stream.Stream;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.relaygate.gateway.testsupport.CountingUpstream;
import dev.relaygate.gateway.testsupport.GatewayIntegrationTest;
import dev.relaygate.gateway.testsupport.Snapshots;
import dev.relaygate.gateway.testsupport.TestKeys;

/**
 * JWT-secured keys through the whole gateway: a key whose policy requires a token is relayed only with a valid
 * {@code Authorization: Bearer <JWT>} signed by a key registered on it, and every refused token gets the same
 * 401 as an unknown key.
 */
class KeyJwtIT extends GatewayIntegrationTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_blockNumber\",\"params\":[]}";

    private static final String UNAUTHORIZED =
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-32001,\"message\":\"unauthorized\"}}";

    private static final RSAKey REGISTERED = rsaKey("dapp-1");

    private static final RSAKey IMPOSTOR = rsaKey("dapp-1");

    @Test
    void aValidTokenFromARegisteredKeyIsRelayed() {
        String key = jwtSecuredKey();

        byte[] answer = call("/v1/anvil/" + key, sign(JWSAlgorithm.RS256, "dapp-1", rsaSigner(REGISTERED), claims()))
            .expectStatus().isOk()
            .expectBody().returnResult().getResponseBody();

        assertThat(new String(answer, StandardCharsets.UTF_8)).isEqualTo(CountingUpstream.ANSWER);
    }

    @Test
    void theKeyMayTravelInXApiKeyBesideTheToken() {
        String key = jwtSecuredKey();

        client.post().uri("/v1/anvil")
            .contentType(MediaType.APPLICATION_JSON)
            .header("X-Api-Key", key)
            .header(HttpHeaders.AUTHORIZATION,
                    "Bearer " + sign(JWSAlgorithm.RS256, "dapp-1", rsaSigner(REGISTERED), claims()))
            .bodyValue(CALL)
            .exchange()
            .expectStatus().isOk();
    }

    @Test
    void aRequestWithoutATokenIsRefused() {
        String key = jwtSecuredKey();
        int upstreamCalls = UPSTREAM.settledRequests();

        client.post().uri("/v1/anvil/" + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(CALL)
            .exchange()
            .expectStatus().isUnauthorized()
            .expectBody().json(UNAUTHORIZED, true);

        assertThat(UPSTREAM.requests()).isEqualTo(upstreamCalls);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedTokens")
    void refusesTheTokenWithTheSame401AsAnUnknownKey(Supplier<String> refusedToken) {
        String key = jwtSecuredKey();
        int upstreamCalls = UPSTREAM.settledRequests();

        call("/v1/anvil/" + key, refusedToken.get())
            .expectStatus().isUnauthorized()
            .expectBody().json(UNAUTHORIZED, true);

        assertThat(UPSTREAM.requests()).isEqualTo(upstreamCalls);
    }

    static Stream<Arguments> refusedTokens() {
        return Stream.of(
                refused("alg=none", () -> base64Url("{\"alg\":\"none\",\"kid\":\"dapp-1\"}") + "."
                        + base64Url(claims().toString()) + "."),
                refused("HS256 signed with the registered public key as secret", () -> sign(JWSAlgorithm.HS256,
                        "dapp-1", macSigner(REGISTERED.toPublicJWK().toJSONString()), claims())),
                refused("unknown kid", () -> sign(JWSAlgorithm.RS256, "someone-else", rsaSigner(REGISTERED),
                        claims())),
                refused("signed by another key under the registered kid", () -> sign(JWSAlgorithm.RS256,
                        "dapp-1", rsaSigner(IMPOSTOR), claims())),
                refused("expired", () -> sign(JWSAlgorithm.RS256, "dapp-1", rsaSigner(REGISTERED),
                        new JWTClaimsSet.Builder(claims())
                            .expirationTime(Date.from(Instant.now().minusSeconds(300))).build())),
                refused("for another audience", () -> sign(JWSAlgorithm.RS256, "dapp-1", rsaSigner(REGISTERED),
                        new JWTClaimsSet.Builder(claims()).audience("someone-else").build())),
                refused("without exp", () -> sign(JWSAlgorithm.RS256, "dapp-1", rsaSigner(REGISTERED),
                        new JWTClaimsSet.Builder(claims()).expirationTime(null).build())),
                refused("not a JWT", () -> "not.a.jwt"));
    }

    private WebTestClient.ResponseSpec call(String path, String token) {
        return client.post().uri(path)
            .contentType(MediaType.APPLICATION_JSON)
            .header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
            .bodyValue(CALL)
            .exchange();
    }

    /** A key whose policy requires a token signed by {@link #REGISTERED}. */
    private static String jwtSecuredKey() {
        String key = TestKeys.newKey();
        ObjectNode snapshot = Snapshots.keySnapshot(TestKeys.sha256(key));
        ObjectNode policy = (ObjectNode) snapshot.get("policy");
        policy.put("jwtRequired", true);
        policy.putArray("jwtPublicKeys").add(JsonMapper.builder().build().readTree(
                REGISTERED.toPublicJWK().toJSONString()));
        publishKey(snapshot);
        return key;
    }

    private static Arguments refused(String name, Supplier<String> token) {
        return Arguments.of(Named.of(name, token));
    }

    private static JWTClaimsSet claims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
            .subject("dapp-backend")
            .audience("relaygate")
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(300)))
            .build();
    }

}
