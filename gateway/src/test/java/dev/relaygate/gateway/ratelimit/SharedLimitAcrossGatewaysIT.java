package dev.relaygate.gateway.ratelimit;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import tools.jackson.databind.node.ObjectNode;

import dev.relaygate.gateway.GatewayApplication;
import dev.relaygate.gateway.testsupport.CountingUpstream;
import dev.relaygate.gateway.testsupport.OwnNettyResources;
import dev.relaygate.gateway.testsupport.Snapshots;
import dev.relaygate.gateway.testsupport.TestKeys;
import dev.relaygate.gateway.testsupport.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two whole gateway instances over one Redis of their own: together they admit no more than the plan's limit
 * (+1 %), and when that Redis stops they keep answering without a 5xx, report degraded, and return to shared
 * limits by themselves once it is back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedLimitAcrossGatewaysIT {

    private static final String PLAN_ID = "00000000-0000-0000-0000-0000000011a1";

    private static final long BURST = 2_000;

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}";

    private static TestRedis.Dedicated redis;

    private static CountingUpstream upstream;

    private static List<ConfigurableApplicationContext> gateways;

    private static String key;

    private static String otherKey;

    @BeforeAll
    static void startTwoGateways() {
        redis = TestRedis.dedicated();
        upstream = new CountingUpstream();
        key = TestKeys.newKey();
        ObjectNode plan = (ObjectNode) Snapshots.contract("plan-snapshot.json");
        plan.put("planId", PLAN_ID).put("computeUnitsPerSecond", 1).put("burstComputeUnits", BURST)
            .put("computeUnitsPerMinute", 1_000_000);
        ObjectNode snapshot = Snapshots.keySnapshot(TestKeys.sha256(key)).put("planId", PLAN_ID);
        otherKey = TestKeys.newKey();
        ObjectNode other = Snapshots.keySnapshot(TestKeys.sha256(otherKey)).put("planId", PLAN_ID)
            .put("organizationId", "0d6c1f0e-0000-4000-8000-000000000b0b");
        RedisClient client = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().set("rg:plan:" + PLAN_ID, plan.toString());
            connection.sync().set("rg:key:" + snapshot.get("hash").asString(), snapshot.toString());
            connection.sync().set("rg:key:" + other.get("hash").asString(), other.toString());
        }
        finally {
            client.shutdown();
        }
        gateways = List.of(start(), start());
    }

    @AfterAll
    static void stopGateways() {
        gateways.forEach(ConfigurableApplicationContext::close);
        upstream.close();
        redis.stop();
    }

    @Test
    @Order(1)
    void twoGatewaysTogetherAdmitNoMoreThanTheSharedLimit() {
        long cost = MethodWeights.defaults().cost("evm", "eth_blockNumber");
        long limit = BURST / cost;
        Map<Integer, AtomicInteger> statuses = send(key, 3 * (int) limit);

        int admitted = statuses.getOrDefault(200, new AtomicInteger()).get();
        assertThat(statuses.keySet()).as(statuses.toString()).containsOnly(200, 429);
        assertThat(admitted).isBetween((int) (limit * 0.9), (int) Math.floor(limit * 1.01));
    }

    @Test
    @Order(2)
    void whenRedisStopsTheyKeepAnsweringWithoutA5xxAndReturnWhenItIsBack() {
        send(otherKey, 2);
        redis.stop();

        Map<Integer, AtomicInteger> statuses = send(otherKey, 60);

        assertThat(statuses.keySet()).allMatch(status -> status == 200 || status == 429);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> gateways.forEach(gateway ->
            management(gateway).get().uri("/actuator/health").exchange()
                .expectBody().jsonPath("$.components.rateLimit.details.mode").isEqualTo("degraded")));

        redis.start();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> gateways.forEach(gateway ->
            management(gateway).get().uri("/actuator/health").exchange()
                .expectBody().jsonPath("$.components.rateLimit.details.mode").isEqualTo("shared")));
    }

    private static Map<Integer, AtomicInteger> send(String key, int requests) {
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        List<WebClient> clients = gateways.stream().map(SharedLimitAcrossGatewaysIT::api).toList();
        Flux.range(0, requests)
            .flatMap(i -> clients.get(i % 2).post().uri("/v1/anvil/" + key)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(CALL)
                .exchangeToMono(response -> response.releaseBody().thenReturn(response.statusCode().value())), 8)
            .doOnNext(status -> statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet())
            .blockLast(Duration.ofSeconds(60));
        return statuses;
    }

    private static ConfigurableApplicationContext start() {
        // Arguments, not default properties: they must win over application.yml.
        return new SpringApplicationBuilder(GatewayApplication.class, OwnNettyResources.class).run(
                "--server.port=0",
                "--management.server.port=0",
                "--relaygate.redis.url=" + redis.url(),
                "--relaygate.control-plane.url=http://127.0.0.1:99",
                "--relaygate.ratelimit.instance-count=2",
                // Sharing is what is measured: a loaded test machine must not push the limiter into its
                // (deliberately approximate) degraded mode by being slow. A stopped Redis fails fast anyway.
                "--relaygate.ratelimit.command-timeout=2s",
                "--relaygate.redis.command-timeout=2s",
                "--relaygate.chains[0].id=anvil",
                "--relaygate.chains[0].family=evm",
                "--relaygate.chains[0].upstreams[0].url=" + upstream.url());
    }

    private static WebClient api(ConfigurableApplicationContext gateway) {
        return WebClient.create("http://127.0.0.1:" + gateway.getEnvironment().getProperty("local.server.port"));
    }

    private static WebTestClient management(ConfigurableApplicationContext gateway) {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + gateway.getEnvironment()
            .getProperty("local.management.port")).responseTimeout(Duration.ofSeconds(30)).build();
    }
}
