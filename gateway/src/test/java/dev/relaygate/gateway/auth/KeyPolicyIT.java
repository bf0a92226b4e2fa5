package dev.relaygate.gateway.auth;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import tools.jackson.databind.node.ObjectNode;

import dev.relaygate.gateway.testsupport.GatewayIntegrationTest;
import dev.relaygate.gateway.testsupport.Snapshots;
import dev.relaygate.gateway.testsupport.TestKeys;

/** Key policies and plan limits through the real gateway. */
class KeyPolicyIT extends GatewayIntegrationTest {

    @Test
    void methodOutsideThePlanIsA32601WithTheIdEchoed() {
        client.post().uri("/v1/anvil/" + activeKey()).contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"debug_traceTransaction\",\"params\":[\"0x1\"]}")
            .exchange()
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.id").isEqualTo(9)
            .jsonPath("$.error.code").isEqualTo(-32601);
    }

    @Test
    void refusedCallsOfABatchAreAnsweredBesideTheRelayedOnes() {
        int before = UPSTREAM.settledRequests();

        client.post().uri("/v1/anvil/" + activeKey()).contentType(MediaType.APPLICATION_JSON)
            .bodyValue("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\"},"
                    + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"trace_block\",\"params\":[\"latest\"]},"
                    + "{\"jsonrpc\":\"1.0\",\"id\":3,\"method\":\"eth_chainId\"}]")
            .exchange()
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.length()").isEqualTo(3)
            .jsonPath("$[0].result").isEqualTo("0x10")
            .jsonPath("$[?(@.id == 2)].error.code").isEqualTo(-32601)
            .jsonPath("$[?(@.id == 3)].error.code").isEqualTo(-32600);
        org.assertj.core.api.Assertions.assertThat(UPSTREAM.requests() - before).isEqualTo(1);
    }

    @Test
    void originOutsideTheAllowlistIsA403() {
        String key = keyWithOrigins();

        client.post().uri("/v1/anvil/" + key).header("Origin", "https://evil.example")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"jsonrpc\":\"2.0\",\"id\":\"o\",\"method\":\"eth_chainId\"}")
            .exchange()
            .expectStatus().isForbidden()
            .expectBody()
            .jsonPath("$.id").isEqualTo("o")
            .jsonPath("$.error.code").isEqualTo(-32003);
    }

    @Test
    void allowedOriginGetsCorsHeadersOnPreflightAndCall() {
        String key = keyWithOrigins();

        client.method(HttpMethod.OPTIONS).uri("/v1/anvil/" + key)
            .header("Origin", "https://dapp.example.org")
            .header("Access-Control-Request-Method", "POST")
            .exchange()
            .expectStatus().isNoContent()
            .expectHeader().valueEquals("Access-Control-Allow-Origin", "https://dapp.example.org");
        client.method(HttpMethod.OPTIONS).uri("/v1/anvil/" + key)
            .header("Origin", "https://evil.example")
            .header("Access-Control-Request-Method", "POST")
            .exchange()
            .expectStatus().isForbidden()
            .expectHeader().doesNotExist("Access-Control-Allow-Origin");
        client.post().uri("/v1/anvil/" + key).header("Origin", "https://dapp.example.org")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"}")
            .exchange()
            .expectStatus().isOk()
            .expectHeader().valueEquals("Access-Control-Allow-Origin", "https://dapp.example.org")
            .expectHeader().valueMatches("Access-Control-Expose-Headers", ".*RateLimit-Remaining.*");
    }

    @Test
    void everyAnswerCarriesARequestIdAndNoStoreHeaders() {
        client.post().uri("/v1/anvil/" + activeKey()).header("X-Request-Id", "trace-123")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"}")
            .exchange()
            .expectHeader().valueEquals("X-Request-Id", "trace-123")
            .expectHeader().valueEquals("Cache-Control", "no-store")
            .expectHeader().valueEquals("X-Content-Type-Options", "nosniff");
        client.get().uri("/nowhere").header("X-Request-Id", "bad id with spaces")
            .exchange()
            .expectStatus().isNotFound()
            .expectHeader().valueMatches("X-Request-Id", "[0-9a-f]{32}")
            .expectBody().jsonPath("$.status").isEqualTo(404).jsonPath("$.trace").doesNotExist();
    }

    private static String keyWithOrigins() {
        String key = TestKeys.newKey();
        ObjectNode snapshot = Snapshots.keySnapshot(TestKeys.sha256(key));
        ((ObjectNode) snapshot.get("policy")).putArray("allowedOrigins").add("*.example.org");
        publishKey(snapshot);
        return key;
    }
}
