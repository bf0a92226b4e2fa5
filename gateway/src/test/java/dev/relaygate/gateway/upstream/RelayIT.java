package dev.relaygate.gateway.upstream;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.relaygate.gateway.testsupport.CountingUpstream;
import dev.relaygate.gateway.testsupport.GatewayIntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/** The relay: what the upstream receives, what the caller gets back, and how connections are reused. */
class RelayIT extends GatewayIntegrationTest {

    @Value("${local.management.port}")
    int managementPort;

    @Test
    void relaysTheAnswerOfTheUpstreamUnchanged() {
        String key = activeKey();

        byte[] answer = client.post().uri("/v1/anvil/" + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}")
            .exchange()
            .expectStatus().isOk()
            .expectBody().returnResult().getResponseBody();

        assertThat(new String(answer, StandardCharsets.UTF_8)).isEqualTo(CountingUpstream.ANSWER);
    }

    @Test
    void answersByAliasAsByChainId() {
        String key = activeKey();

        client.post().uri("/v1/local/" + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"}")
            .exchange()
            .expectStatus().isOk();
    }

    @Test
    void reusesPooledUpstreamConnectionsForSequentialCalls() {
        String key = activeKey();
        call(key);
        int before = UPSTREAM.connectionsOpened();

        for (int i = 0; i < 50; i++) {
            call(key);
        }

        // A pool may replace a connection now and then; opening one per call (50) is what this guards against.
        assertThat(UPSTREAM.connectionsOpened() - before).isLessThanOrEqualTo(2);
    }

    @Test
    void unknownChainIsA404WithTheIdEchoed() {
        client.post().uri("/v1/no-such-chain/" + activeKey())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"eth_chainId\"}")
            .exchange()
            .expectStatus().isNotFound()
            .expectBody()
            .jsonPath("$.id").isEqualTo("abc")
            .jsonPath("$.error.code").isEqualTo(-32004);
    }

    @Test
    void otherHttpMethodsAreA405() {
        client.get().uri("/v1/anvil/" + activeKey())
            .exchange()
            .expectStatus().isEqualTo(HttpStatus.METHOD_NOT_ALLOWED)
            .expectHeader().valueEquals("Allow", "POST")
            .expectBody().jsonPath("$.error.code").isEqualTo(-32600);
    }

    @Test
    void theManagementPortDoesNotServeTheJsonRpcEndpoint() {
        String key = activeKey();
        int relayedBefore = UPSTREAM.settledRequests();

        WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort).build()
            .post().uri("/v1/anvil/" + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}")
            .exchange()
            .expectStatus().isNotFound();
        assertThat(UPSTREAM.requests()).isEqualTo(relayedBefore);
    }

    private void call(String key) {
        client.post().uri("/v1/anvil/" + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}")
            .exchange()
            .expectStatus().isOk();
    }
}
