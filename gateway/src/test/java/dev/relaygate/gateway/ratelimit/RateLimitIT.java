package dev.relaygate.gateway.ratelimit;


import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.relaygate.gateway.testsupport.GatewayIntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/** Rate limits through the whole gateway, on the real Redis: headers on every relayed answer, then a 429. */
class RateLimitIT extends GatewayIntegrationTest {

    @LocalManagementPort
    private int managementPort;

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"eth_blockNumber\",\"params\":[]}";

    @Test
    void requestAfterTheBurstIsA429WithRetryAfterAndA32005() {
        // eth_blockNumber costs 10 CU: a burst (and minute band) of 20 CU admits two calls; one CU per second
        // refills slowly.
        String key = keyOnPlan(1, 20, 20);
        call(key).expectStatus().isOk();
        call(key).expectStatus().isOk();
        int upstreamCalls = UPSTREAM.settledRequests();

        call(key)
            .expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
            .expectHeader().valueMatches("Retry-After", "[1-9][0-9]*")
            .expectHeader().valueEquals("RateLimit-Limit", "20")
            .expectHeader().exists("RateLimit-Remaining")
            .expectHeader().exists("RateLimit-Reset")
            .expectBody()
            .jsonPath("$.id").isEqualTo(42)
            .jsonPath("$.error.code").isEqualTo(-32005)
            .jsonPath("$.error.data.retryAfterSeconds").value(seconds -> assertThat((Integer) seconds).isPositive());

        assertThat(UPSTREAM.requests()).isEqualTo(upstreamCalls);
    }

    @Test
    void everyRelayedAnswerCarriesTheRateLimitHeaders() {
        String key = keyOnPlan(100, 1000, 10000);

        call(key)
            .expectStatus().isOk()
            .expectHeader().valueEquals("RateLimit-Limit", "1000")
            .expectHeader().valueEquals("RateLimit-Remaining", "990")
            .expectHeader().valueMatches("RateLimit-Reset", "[0-9]+");
    }

    @Test
    void healthShowsThatLimitsAreSharedThroughRedis() {
        WebTestClient management = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort).build();

        management.get().uri("/actuator/health")
            .exchange()
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.components.rateLimit.status").isEqualTo("UP")
            .jsonPath("$.components.rateLimit.details.mode").isEqualTo("shared");
    }

    private WebTestClient.ResponseSpec call(String key) {
        return client.post().uri("/v1/anvil/" + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(CALL)
            .exchange();
    }

    /** A key of its own organization on a plan of its own with these limits. */
    private static String keyOnPlan(long perSecond, long burst, long perMinute) {
        return keyOn(planWith(perSecond, burst, perMinute)).secret();
    }
}
