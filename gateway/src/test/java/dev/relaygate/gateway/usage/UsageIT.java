package dev.relaygate.gateway.usage;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;

import dev.relaygate.gateway.ratelimit.MethodWeights;
import dev.relaygate.gateway.testsupport.GatewayIntegrationTest;
import dev.relaygate.gateway.testsupport.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Relayed calls through the whole gateway end up in {@code rg:usage}, one per call, with exactly the compute units
 * of what was served; calls the gateway answered itself are not usage; rate-limited requests are counted apart.
 */
class UsageIT extends GatewayIntegrationTest {

    private static final String SINGLE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}";

    // Two valid calls, one invalid (no method: answered by the gateway, not usage), one notification (relayed).
    private static final String MIXED_BATCH = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\"},"
            + "{\"jsonrpc\":\"2.0\",\"id\":2},"
            + "{\"jsonrpc\":\"2.0\",\"id\":\"c\",\"method\":\"eth_chainId\"},"
            + "{\"jsonrpc\":\"2.0\",\"method\":\"eth_blockNumber\"}]";

    @Autowired
    private MethodWeights weights;

    @Test
    void singleAndBatchedCallsAreCountedOnePerCallWithTheirWeights() {
        PublishedKey key = key(1_000_000, 1_000_000, 100_000_000);

        for (int i = 0; i < 7; i++) {
            call(key, SINGLE).expectStatus().isOk();
        }
        for (int i = 0; i < 5; i++) {
            call(key, MIXED_BATCH).expectStatus().isOk();
        }

        long blockNumber = weights.cost(MethodWeights.EVM, "eth_blockNumber");
        long chainId = weights.cost(MethodWeights.EVM, "eth_chainId");
        Map<String, Long> expected = new HashMap<>();
        expected.put("ok.calls", 7L + 5 * 3);
        expected.put("ok.cu", 7 * blockNumber + 5 * (2 * blockNumber + chainId));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(UsageStreamEntries.totals(SNAPSHOTS.redis(), key.id())).isEqualTo(expected));
    }

    @Test
    void rateLimitedRequestsAreCountedAsRateLimitedWithoutComputeUnits() {
        long blockNumber = weights.cost(MethodWeights.EVM, "eth_blockNumber");
        // Room for three calls, then (at 1 CU/s) none for the rest of the test.
        PublishedKey key = key(1, 3 * blockNumber, 100_000_000);
        int served = 0;
        int refused = 0;

        for (int i = 0; i < 10; i++) {
            int status = call(key, SINGLE).returnResult(String.class).getStatus().value();
            if (status == 200) {
                served++;
            }
            else if (status == 429) {
                refused++;
            }
        }

        assertThat(served + refused).isEqualTo(10);
        assertThat(refused).isPositive();
        Map<String, Long> expected = new HashMap<>();
        expected.put("ok.calls", (long) served);
        expected.put("ok.cu", served * blockNumber);
        expected.put("rate_limited.calls", (long) refused);
        expected.put("rate_limited.cu", 0L);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(UsageStreamEntries.totals(SNAPSHOTS.redis(), key.id())).isEqualTo(expected));
    }

    @Test
    void callsTheGatewayRefusesItselfAreNotUsage() {
        PublishedKey key = key(1_000_000, 1_000_000, 100_000_000);

        client.post().uri("/v1/anvil/" + TestKeys.newKey())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(SINGLE)
            .exchange()
            .expectStatus().isUnauthorized();
        call(key, "{\"jsonrpc\":\"2.0\",\"id\":1}").expectStatus().isBadRequest();
        call(key, SINGLE).expectStatus().isOk();

        Map<String, Long> expected = Map.of("ok.calls", 1L, "ok.cu", weights.cost(MethodWeights.EVM, "eth_blockNumber"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(UsageStreamEntries.totals(SNAPSHOTS.redis(), key.id())).isEqualTo(expected));
    }

    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec call(PublishedKey key, String body) {
        return client.post().uri("/v1/anvil/" + key.secret())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchange();
    }

    /** A key of its own organization on a plan of its own with these limits. */
    private static PublishedKey key(long perSecond, long burst, long perMinute) {
        return keyOn(planWith(perSecond, burst, perMinute));
    }

}
