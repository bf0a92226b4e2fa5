package dev.relaygate.gateway.ratelimit;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.node.ObjectNode;

import dev.relaygate.gateway.testsupport.GatewayIntegrationTest;
import dev.relaygate.gateway.testsupport.Snapshots;
import dev.relaygate.gateway.testsupport.TestKeys;

/** A plan edited at the control plane reaches a running gateway's limits within a second of its announcement. */
class PlanChangeIT extends GatewayIntegrationTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}";

    @Test
    void aRaisedBurstIsAnnouncedWithinOneSecondOfThePlanChange() {
        ObjectNode plan = (ObjectNode) Snapshots.contract("plan-snapshot.json");
        plan.put("planId", UUID.randomUUID().toString());
        publishPlan(plan);
        String key = TestKeys.newKey();
        ObjectNode snapshot = Snapshots.keySnapshot(TestKeys.sha256(key));
        snapshot.put("planId", plan.get("planId").asString());
        publishKey(snapshot);
        call(key).expectHeader().valueEquals("RateLimit-Limit", "660");

        plan.put("burstComputeUnits", 5_000).put("version", plan.get("version").asLong() + 1);
        publishPlan(plan);
        SNAPSHOTS.announcePlan(plan);

        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).untilAsserted(() ->
            call(key).expectHeader().valueEquals("RateLimit-Limit", "5000"));
    }

    private WebTestClient.ResponseSpec call(String key) {
        return client.post().uri("/v1/anvil/" + key).contentType(MediaType.APPLICATION_JSON).bodyValue(CALL)
            .exchange()
            .expectStatus().isOk();
    }
}
