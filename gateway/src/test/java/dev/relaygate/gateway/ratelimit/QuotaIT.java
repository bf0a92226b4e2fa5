package dev.relaygate.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.node.ObjectNode;

import dev.relaygate.gateway.testsupport.GatewayIntegrationTest;
import dev.relaygate.gateway.testsupport.Snapshots;
import dev.relaygate.gateway.testsupport.TestKeys;

/**
 * Monthly quotas and per-key caps through the whole gateway (docs/usage-and-quotas.md, "Quotas"): what is relayed,
 * what is refused, with which JSON-RPC error, and the quota headers on the way.
 */
class QuotaIT extends GatewayIntegrationTest {

    /** eth_blockNumber: 10 CU. */
    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"eth_blockNumber\",\"params\":[]}";

    @Test
    void anOrganizationWhoseMonthlyQuotaIsUsedUpIsRefusedUntilTheMonthEnds() {
        ObjectNode plan = planWith(1_000, 10_000, 100_000).put("monthlyComputeUnits", 30);
        publishPlan(plan);
        String key = keyOn(plan).secret();
        for (int used = 10; used <= 30; used += 10) {
            call(key).expectStatus().isOk()
                .expectHeader().valueEquals("X-Relaygate-Quota-Used", Integer.toString(used))
                .expectHeader().valueEquals("X-Relaygate-Quota-Limit", "30")
                .expectHeader().valueMatches("X-Relaygate-Quota-Reset", "[1-9][0-9]*");
        }
        int relayed = UPSTREAM.settledRequests();

        String reset = firstOfNextMonth().toString();
        call(key)
            .expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
            .expectHeader().valueMatches("Retry-After", "[1-9][0-9]*")
            .expectHeader().valueEquals("X-Relaygate-Quota-Used", "30")
            .expectHeader().valueEquals("X-Relaygate-Quota-Limit", "30")
            .expectBody()
            .jsonPath("$.id").isEqualTo(42)
            .jsonPath("$.error.code").isEqualTo(-32005)
            .jsonPath("$.error.message").isEqualTo("the organization's monthly compute-unit quota is used up")
            .jsonPath("$.error.data.reset").isEqualTo(reset)
            .jsonPath("$.error.data.limit").isEqualTo(30)
            .jsonPath("$.error.data.retryAfterSeconds").value(seconds ->
                assertThat(((Number) seconds).longValue())
                    .isBetween(secondsUntil(firstOfNextMonth()) - 5, secondsUntil(firstOfNextMonth()) + 1));
        assertThat(UPSTREAM.requests()).as("nothing relayed once the quota is used up").isEqualTo(relayed);
    }

    @Test
    void aKeyOverItsDailyCapIsRefusedWhileASiblingKeyOfTheSameOrganizationStillWorks() {
        ObjectNode plan = planWith(1_000, 10_000, 100_000);
        String cappedSecret = TestKeys.newKey();
        ObjectNode capped = Snapshots.keySnapshot(TestKeys.sha256(cappedSecret)).put("planId", plan.get("planId").asString());
        ((ObjectNode) capped.get("policy")).put("dailyComputeUnits", 20);
        publishKey(capped);
        String siblingSecret = TestKeys.newKey();
        ObjectNode sibling = Snapshots.keySnapshot(TestKeys.sha256(siblingSecret))
            .put("planId", plan.get("planId").asString())
            .put("organizationId", capped.get("organizationId").asString());
        publishKey(sibling);

        call(cappedSecret).expectStatus().isOk();
        call(cappedSecret).expectStatus().isOk();
        int relayed = UPSTREAM.settledRequests();

        call(cappedSecret)
            .expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
            .expectHeader().valueMatches("Retry-After", "[1-9][0-9]*")
            .expectBody()
            .jsonPath("$.error.code").isEqualTo(-32005)
            .jsonPath("$.error.message").isEqualTo("the key's daily compute-unit cap is used up")
            .jsonPath("$.error.data.reset").isEqualTo(LocalDate.now(ZoneOffset.UTC).plusDays(1)
                .atStartOfDay(ZoneOffset.UTC).toInstant().toString())
            .jsonPath("$.error.data.used").isEqualTo(20)
            .jsonPath("$.error.data.limit").isEqualTo(20);
        assertThat(UPSTREAM.requests()).isEqualTo(relayed);

        for (int i = 0; i < 5; i++) {
            call(siblingSecret).expectStatus().isOk();
        }
        assertThat(UPSTREAM.requests()).as("the sibling's calls were relayed").isEqualTo(relayed + 5);
    }

    private WebTestClient.ResponseSpec call(String key) {
        return client.post().uri("/v1/anvil/" + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(CALL)
            .exchange();
    }

    private static Instant firstOfNextMonth() {
        return LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1).plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    private static long secondsUntil(Instant instant) {
        return instant.getEpochSecond() - Instant.now().getEpochSecond();
    }
}
