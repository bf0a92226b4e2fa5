package dev.relaygate.gateway.ratelimit;

import java.time.Duration;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.node.ObjectNode;

import dev.relaygate.gateway.testsupport.CountingUpstream;
import dev.relaygate.gateway.testsupport.Snapshots;
import dev.relaygate.gateway.testsupport.TestKeys;
import dev.relaygate.gateway.testsupport.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole gateway while its Redis is gone or frozen ({@code CLIENT PAUSE}): keys already seen keep working, new keys come from the control
 * plane, rate limits are decided locally (degraded, and shown as such), no answer is a 5xx, and everything
 * returns to Redis by itself when it comes back. The gateway here has a Redis of its own, which the test stops,
 * and a control plane that knows every key and plan (its Redis starts empty, as after a Redis data loss).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s")
class GatewayRedisOutageIT {

    private static final TestRedis.Dedicated REDIS = TestRedis.dedicated();

    private static final CountingUpstream UPSTREAM = new CountingUpstream();

    private static final WireMockServer CONTROL_PLANE = new WireMockServer(
            WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}";

    @DynamicPropertySource
    static void gatewayOnItsOwnRedis(DynamicPropertyRegistry properties) {
        CONTROL_PLANE.start();
        ObjectNode plan = (ObjectNode) Snapshots.contract("plan-snapshot.json");
        CONTROL_PLANE.stubFor(WireMock.get("/internal/v1/plan-snapshots/" + plan.get("planId").asString())
            .willReturn(WireMock.okJson(plan.toString())));
        properties.add("relaygate.redis.url", REDIS::url);
        properties.add("relaygate.control-plane.url", CONTROL_PLANE::baseUrl);
        properties.add("relaygate.control-plane.internal-token", () -> "outage-test-token");
        properties.add("relaygate.chains[0].id", () -> "anvil");
        properties.add("relaygate.chains[0].family", () -> "evm");
        properties.add("relaygate.chains[0].upstreams[0].url", UPSTREAM::url);
        properties.add("server.port", () -> "0");
        properties.add("management.server.port", () -> "0");
    }

    @Autowired
    private WebTestClient client;

    @Autowired
    private MeterRegistry meters;

    @LocalManagementPort
    private int managementPort;

    @AfterEach
    void redisIsBack() {
        REDIS.start();
    }

    @AfterAll
    static void stopServers() {
        CONTROL_PLANE.stop();
        UPSTREAM.close();
    }

    @Test
    void servesEveryCallWithoutA5xxWhileRedisIsDownAndReturnsToRedisByItself() {
        String key = activeKey();
        call(key).expectStatus().isOk();

        REDIS.stop();
        servesThirtyCallsDegraded(key);

        REDIS.start();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(degraded()).isZero());
        health().jsonPath("$.components.rateLimit.details.mode").isEqualTo("shared");
        call(key).expectStatus().isOk();
    }

    @Test
    void servesEveryCallWithoutA5xxWhileRedisIsFrozenAndReturnsToRedisByItself() {
        String key = activeKey();
        call(key).expectStatus().isOk();

        REDIS.pauseClients(Duration.ofSeconds(3));
        servesThirtyCallsDegraded(key);

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(degraded()).isZero());
        call(key).expectStatus().isOk();
    }

    @Test
    void aKeyNotSeenBeforeIsServedFromTheControlPlaneWhileRedisIsDown() {
        REDIS.stop();

        call(activeKey()).expectStatus().isOk();
    }

    /** 30 calls on {@code key}, each a 200 with rate-limit headers, decided locally and shown as degraded. */
    private void servesThirtyCallsDegraded(String key) {
        for (int i = 0; i < 30; i++) {
            call(key)
                .expectStatus().isOk()
                .expectHeader().exists("RateLimit-Remaining");
        }
        assertThat(degraded()).isEqualTo(1);
        health().jsonPath("$.components.rateLimit.details.mode").isEqualTo("degraded");
    }

    /** A new active key that only the control plane knows (this gateway's Redis starts empty). */
    private static String activeKey() {
        String key = TestKeys.newKey();
        ObjectNode snapshot = Snapshots.keySnapshot(TestKeys.sha256(key));
        CONTROL_PLANE.stubFor(WireMock.get("/internal/v1/key-snapshots/" + TestKeys.sha256(key))
            .willReturn(WireMock.okJson(snapshot.toString())));
        return key;
    }

    private WebTestClient.ResponseSpec call(String key) {
        return client.post().uri("/v1/anvil/" + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(CALL)
            .exchange();
    }

    private WebTestClient.BodyContentSpec health() {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort).build()
            .get().uri("/actuator/health")
            .exchange()
            .expectBody();
    }

    private double degraded() {
        return meters.get(RedisRateLimiter.DEGRADED_METRIC).gauge().value();
    }
}
