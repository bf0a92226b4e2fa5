package dev.relaygate.gateway.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.node.ObjectNode;

import dev.relaygate.gateway.auth.InvalidationListener;

import static org.awaitility.Awaitility.await;

/**
 * Base of the gateway's integration tests: the whole application on a random port, over a real Redis, with
 * a counting upstream node and a WireMock control plane, shared by every test class so one Spring context
 * serves them all. A subclass marked {@link OnRedisCluster} runs the same tests on a Redis Cluster: its snapshots
 * are published there, and it points its gateway there with {@link TestRedisCluster#register} (a context of its
 * own, as its property source method is its own).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s")
// These tests count what reaches the upstream: no response cache and no finalized-head checks in between. The cache's
// own tests turn it on with a @DynamicPropertySource, which takes precedence.
@TestPropertySource(properties = "relaygate.cache.enabled=false")
public abstract class GatewayIntegrationTest {

    protected static final String INTERNAL_TOKEN = "test-internal-token";

    protected static final CountingUpstream UPSTREAM = new CountingUpstream();

    protected static final WireMockServer CONTROL_PLANE = started(new WireMockServer(
            WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort()));

    /** The usage spool of the shared gateway: a directory of its own, never the working directory. */
    protected static final Path USAGE_SPOOL = temporaryDirectory("relaygate-usage-spool");

    private static final Snapshots ON_SERVER = new Snapshots(TestRedis.url());

    /**
     * Publishes into the Redis of the running test class: the shared server, or the cluster for a class marked
     * {@link OnRedisCluster} (chosen before each class; the test classes of a JVM run one at a time).
     */
    protected static Snapshots SNAPSHOTS = ON_SERVER;

    private static Snapshots onCluster;

    @Autowired
    protected WebTestClient client;

    @Autowired
    private InvalidationListener invalidations;

    @DynamicPropertySource
    static void gatewayProperties(DynamicPropertyRegistry properties) {
        // The shared server, unless the class sets test.redis.url (TestRedisCluster#register): a subclass cannot
        // override this property itself, as Spring applies a superclass's dynamic properties after its subclass's.
        properties.add("relaygate.redis.url", () -> "${test.redis.url:" + TestRedis.url() + "}");
        properties.add("relaygate.control-plane.url", CONTROL_PLANE::baseUrl);
        properties.add("relaygate.control-plane.internal-token", () -> INTERNAL_TOKEN);
        properties.add("relaygate.chains[0].id", () -> "anvil");
        properties.add("relaygate.chains[0].aliases[0]", () -> "local");
        properties.add("relaygate.chains[0].family", () -> "evm");
        properties.add("relaygate.chains[0].upstreams[0].url", UPSTREAM::url);
        // Generous timeouts: these tests specify behaviour, not speed, and CI machines are small.
        properties.add("relaygate.redis.command-timeout", () -> "2s");
        properties.add("relaygate.control-plane.timeout", () -> "10s");
        properties.add("relaygate.usage.spool.directory", () -> USAGE_SPOOL.toString());
        properties.add("server.port", () -> "0");
        properties.add("management.server.port", () -> "0");
    }

    @BeforeAll
    static void publishIntoTheRedisOfTheTestClass(TestInfo test) {
        boolean cluster = test.getTestClass().map(OnRedisCluster.class::isAssignableFrom).orElse(false);
        if (cluster && onCluster == null) {
            onCluster = Snapshots.onCluster(TestRedisCluster.shared().url());
        }
        SNAPSHOTS = cluster ? onCluster : ON_SERVER;
    }

    /**
     * Tests start once the gateway hears invalidations: it drops its caches when its subscription takes effect,
     * which on a cold start (slower on a cluster: the slot map comes first) could otherwise fall between two calls
     * of a test and make it fetch a key twice.
     */
    @BeforeEach
    void awaitTheInvalidationSubscription() {
        await().atMost(Duration.ofSeconds(30)).until(invalidations::isListening);
    }

    @BeforeEach
    void resetControlPlane() {
        CONTROL_PLANE.resetAll();
        publish("rg:plan:", "/internal/v1/plan-snapshots/", (ObjectNode) Snapshots.contract("plan-snapshot.json"), "planId");
    }

    /** A new key with an active snapshot published; returns the key. */
    protected static String activeKey() {
        String key = TestKeys.newKey();
        publishKey(Snapshots.keySnapshot(TestKeys.sha256(key)));
        return key;
    }

    /**
     * Publishes a key snapshot as the control plane does: in Redis, and known to the control plane's internal
     * endpoint (which a gateway asks when Redis is slow to answer, for example while the JVM is still cold).
     */
    protected static void publishKey(ObjectNode snapshot) {
        publish("rg:key:", "/internal/v1/key-snapshots/", snapshot, "hash");
    }

    /** A key published on {@code plan}: its secret and its snapshot (organization of its own, as every test key). */
    protected record PublishedKey(String secret, ObjectNode snapshot) {

        public String id() {
            return snapshot.get("keyId").asString();
        }
    }

    /** A plan of its own (the contract's example, version 1) with these limits, published. */
    protected static ObjectNode planWith(long perSecond, long burst, long perMinute) {
        ObjectNode plan = (ObjectNode) Snapshots.contract("plan-snapshot.json");
        plan.put("planId", java.util.UUID.randomUUID().toString())
            .put("computeUnitsPerSecond", perSecond)
            .put("burstComputeUnits", burst)
            .put("computeUnitsPerMinute", perMinute);
        publishPlan(plan);
        return plan;
    }

    /** A new key of an organization of its own on {@code plan}, published. */
    protected static PublishedKey keyOn(ObjectNode plan) {
        String secret = TestKeys.newKey();
        ObjectNode snapshot = Snapshots.keySnapshot(TestKeys.sha256(secret));
        snapshot.put("planId", plan.get("planId").asString());
        publishKey(snapshot);
        return new PublishedKey(secret, snapshot);
    }

    /** Publishes a plan snapshot in Redis and at the control plane's internal endpoint. */
    protected static void publishPlan(ObjectNode snapshot) {
        publish("rg:plan:", "/internal/v1/plan-snapshots/", snapshot, "planId");
    }

    private static void publish(String redisPrefix, String internalPath, ObjectNode snapshot, String idField) {
        String id = snapshot.get(idField).asString();
        SNAPSHOTS.redis().set(redisPrefix + id, snapshot.toString());
        CONTROL_PLANE.stubFor(WireMock.get(internalPath + id)
            .willReturn(WireMock.okJson(snapshot.toString())));
    }

    private static Path temporaryDirectory(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static WireMockServer started(WireMockServer server) {
        server.start();
        return server;
    }
}
