package dev.relaygate.gateway.auth;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import tools.jackson.databind.node.ObjectNode;

import dev.relaygate.gateway.testsupport.GatewayIntegrationTest;
import dev.relaygate.gateway.testsupport.Snapshots;
import dev.relaygate.gateway.testsupport.TestKeys;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.awaitility.Awaitility.await;

/** How keys reach the gateway: Redis snapshots, the control-plane fallback, invalidations, refusals. */
class KeyPropagationIT extends GatewayIntegrationTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"eth_blockNumber\",\"params\":[]}";

    @Test
    void unknownKeyIsA401WithAJsonRpcErrorEchoingTheId() {
        client.post().uri("/v1/anvil/" + TestKeys.newKey())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(CALL)
            .exchange()
            .expectStatus().isUnauthorized()
            .expectBody()
            .jsonPath("$.jsonrpc").isEqualTo("2.0")
            .jsonPath("$.id").isEqualTo(42)
            .jsonPath("$.error.code").isEqualTo(-32001)
            .jsonPath("$.result").doesNotExist();
    }

    @Test
    void malformedKeyIsRefusedWithoutAskingTheControlPlane() {
        String key = TestKeys.newKey();
        String badChecksum = key.substring(0, key.length() - 1) + (key.endsWith("A") ? "B" : "A");

        client.post().uri("/v1/anvil/" + badChecksum)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(CALL)
            .exchange()
            .expectStatus().isUnauthorized();

        CONTROL_PLANE.verify(0, getRequestedFor(urlEqualTo("/internal/v1/key-snapshots/" + TestKeys.sha256(badChecksum))));
    }

    @Test
    void keyOnlyTheControlPlaneKnowsIsFetchedWithTheServiceCredential() {
        String key = TestKeys.newKey();
        String hash = TestKeys.sha256(key);
        CONTROL_PLANE.stubFor(get("/internal/v1/key-snapshots/" + hash)
            .withHeader("Authorization", equalTo("Bearer " + INTERNAL_TOKEN))
            .willReturn(aResponse().withHeader("Content-Type", "application/json")
                .withBody(Snapshots.keySnapshot(hash).toString())));

        client.post().uri("/v1/anvil/" + key).contentType(MediaType.APPLICATION_JSON).bodyValue(CALL)
            .exchange()
            .expectStatus().isOk();
        client.post().uri("/v1/anvil/" + key).contentType(MediaType.APPLICATION_JSON).bodyValue(CALL)
            .exchange()
            .expectStatus().isOk();

        CONTROL_PLANE.verify(1, getRequestedFor(urlEqualTo("/internal/v1/key-snapshots/" + hash)));
    }

    @Test
    void revokedKeyIsRefusedWithinOneSecondOfItsInvalidation() {
        String key = TestKeys.newKey();
        ObjectNode snapshot = Snapshots.keySnapshot(TestKeys.sha256(key));
        publishKey(snapshot);
        client.post().uri("/v1/anvil/" + key).contentType(MediaType.APPLICATION_JSON).bodyValue(CALL)
            .exchange()
            .expectStatus().isOk();

        snapshot.put("status", "revoked").put("version", snapshot.get("version").asLong() + 1);
        publishKey(snapshot);
        SNAPSHOTS.announceKey(snapshot);

        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).untilAsserted(() ->
            client.post().uri("/v1/anvil/" + key).contentType(MediaType.APPLICATION_JSON).bodyValue(CALL)
                .exchange()
                .expectStatus().isUnauthorized());
    }

    @Test
    void expiredKeyIsRefusedLikeAnUnknownOne() {
        String key = TestKeys.newKey();
        ObjectNode snapshot = Snapshots.keySnapshot(TestKeys.sha256(key));
        snapshot.put("expiresAt", "2020-01-01T00:00:00Z");
        publishKey(snapshot);

        client.post().uri("/v1/anvil/" + key).contentType(MediaType.APPLICATION_JSON).bodyValue(CALL)
            .exchange()
            .expectStatus().isUnauthorized()
            .expectBody().jsonPath("$.error.code").isEqualTo(-32001);
    }

    @Test
    void keyInTheApiKeyHeaderIsAcceptedOnTheChainOnlyPath() {
        String key = activeKey();

        client.post().uri("/v1/anvil").header("X-Api-Key", key)
            .contentType(MediaType.APPLICATION_JSON).bodyValue(CALL)
            .exchange()
            .expectStatus().isOk();
        client.post().uri("/v1/anvil").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON).bodyValue(CALL)
            .exchange()
            .expectStatus().isOk();
    }
}
