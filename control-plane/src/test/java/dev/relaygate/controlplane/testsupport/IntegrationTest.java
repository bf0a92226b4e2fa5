package dev.relaygate.controlplane.testsupport;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.relaygate.controlplane.ControlPlaneApplication;

/**
 * Base of every integration test: one application context (same configuration everywhere, so Spring reuses it
 * across classes) on a random port, against real Postgres and Redis, with a clock tests can move. A subclass marked
 * {@link OnRedisCluster} runs the same tests on a Redis Cluster: {@link #redis()} is then the cluster, and the class
 * points its application there with {@link TestRedisCluster#register} (one more context).
 */
@ExtendWith(TimeoutDiagnostics.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        classes = { ControlPlaneApplication.class, IntegrationTest.TestClockConfiguration.class })
public abstract class IntegrationTest {

    private static RedisClient redisClient;

    private static RedisClusterCommands<String, String> redis;

    private static RedisClusterCommands<String, String> cluster;

    /** Whether the running test class is {@link OnRedisCluster} (classes of a JVM run one at a time). */
    private static boolean onCluster;

    @LocalServerPort
    protected int port;

    @Autowired
    protected MutableClock clock;

    @Autowired
    protected DatabaseClient db;

    protected WebTestClient http;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestPostgres.Connection pg = TestPostgres.connection();
        registry.add("spring.r2dbc.url", pg::r2dbcUrl);
        registry.add("spring.r2dbc.username", pg::user);
        registry.add("spring.r2dbc.password", pg::password);
        registry.add("spring.flyway.url", pg::jdbcUrl);
        registry.add("spring.flyway.user", pg::user);
        registry.add("spring.flyway.password", pg::password);
        // The shared server, unless the class sets test.redis.url (TestRedisCluster#register): a subclass cannot
        // override this property itself, as Spring applies a superclass's dynamic properties after its subclass's.
        registry.add("relaygate.redis.url", () -> "${test.redis.url:" + TestRedis.url() + "}");
        registry.add("relaygate.security.jwt.hmac-secret", () -> Tokens.HMAC_SECRET);
        registry.add("relaygate.security.jwt.jwks-url", TestJwks::url);
        registry.add("relaygate.internal.token", () -> Tokens.INTERNAL_TOKEN);
        registry.add("management.server.port", () -> "0");
        // Background rounds would race with tests that move the clock; tests run sweeps and drains themselves.
        registry.add("relaygate.keys.rotation-sweep-interval", () -> "1h");
        registry.add("relaygate.redis.republish-interval", () -> "1h");
        // Usage consumption at test speed: a dead consumer's entries are taken over after 1 s, not minutes.
        registry.add("relaygate.usage.consumer-name", () -> "control-plane-it");
        registry.add("relaygate.usage.block-time", () -> "100ms");
        registry.add("relaygate.usage.claim-idle-time", () -> "1s");
        registry.add("relaygate.usage.claim-interval", () -> "200ms");
        registry.add("relaygate.usage.trim-interval", () -> "200ms");
        registry.add("relaygate.usage.retry-backoff", () -> "200ms");
        // Quota notifications at test speed, to WireMock receivers on loopback (refused by default: SSRF).
        registry.add("relaygate.notifications.allow-private-addresses", () -> "true");
        registry.add("relaygate.notifications.poll-interval", () -> "200ms");
        registry.add("relaygate.notifications.initial-backoff", () -> "1s");
        registry.add("relaygate.notifications.max-backoff", () -> "2s");
        registry.add("relaygate.notifications.max-attempts", () -> "3");
        registry.add("relaygate.notifications.timeout", () -> "5s");
        // The portal's sign-in settings, only ever handed to a browser: nothing here is called.
        registry.add("relaygate.portal.sign-in.authorization-endpoint", () -> PORTAL_ISSUER + "/authorize");
        registry.add("relaygate.portal.sign-in.token-endpoint", () -> PORTAL_ISSUER + "/oauth/token");
        registry.add("relaygate.portal.sign-in.client-id", () -> "portal-it");
    }

    /** The identity provider the portal's configuration names (a reserved name: nothing answers there). */
    protected static final String PORTAL_ISSUER = "https://id.example.test:8443";

    @BeforeAll
    static void chooseRedis(TestInfo test) {
        onCluster = test.getTestClass().map(OnRedisCluster.class::isAssignableFrom).orElse(false);
    }

    @BeforeEach
    void baseSetUp() {
        clock.reset();
        http = WebTestClient.bindToServer()
            .baseUrl("http://127.0.0.1:" + port)
            // A rare stall of a request on a loaded CI machine (still unexplained; TimeoutDiagnostics prints sessions
            // and threads when it recurs) outlasted 20 s; 60 s tells a slow answer from a hung one.
            .responseTimeout(Duration.ofSeconds(60))
            .build();
    }

    /** Synchronous commands on the test Redis (the cluster for a class {@link OnRedisCluster}), for assertions. */
    protected static synchronized RedisClusterCommands<String, String> redis() {
        if (onCluster) {
            if (cluster == null) {
                cluster = RedisClusterClient.create(TestRedisCluster.shared().url()).connect().sync();
            }
            return cluster;
        }
        if (redis == null) {
            redisClient = RedisClient.create(TestRedis.url());
            redis = redisClient.connect().sync();
        }
        return redis;
    }

    /** The client of the shared Redis server, for connections of a test's own (pub/sub). */
    protected static synchronized RedisClient redisClient() {
        if (redisClient == null) {
            redisClient = RedisClient.create(TestRedis.url());
            redis = redisClient.connect().sync();
        }
        return redisClient;
    }

    protected static String bearer(String token) {
        return "Bearer " + token;
    }

    /** Creates an organization owned by {@code subject} and answers its id. */
    protected UUID createOrganization(String subject) {
        Map<?, ?> body = http.post()
            .uri("/v1/organizations")
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(subject)))
            .bodyValue(Map.of("name", "org of " + subject))
            .exchange()
            .expectStatus().isCreated()
            .expectBody(Map.class).returnResult().getResponseBody();
        return UUID.fromString((String) body.get("id"));
    }

    /** Creates a key in an organization and answers the creation body (with its secret). */
    protected Map<String, Object> createKey(String subject, UUID organizationId) {
        @SuppressWarnings("unchecked")
        Map<String, Object> body = http.post()
            .uri("/v1/organizations/{org}/keys", organizationId)
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(subject)))
            .bodyValue(Map.of("name", "key of " + subject))
            .exchange()
            .expectStatus().isCreated()
            .expectBody(Map.class).returnResult().getResponseBody();
        return body;
    }

    /** Sends a request with a bearer token (null for none) and an optional JSON body. */
    protected WebTestClient.ResponseSpec call(String token, HttpMethod method, String uri, Object body) {
        WebTestClient.RequestBodySpec request = http.method(method).uri(uri);
        if (token != null) {
            request.header(HttpHeaders.AUTHORIZATION, bearer(token));
        }
        if (body != null) {
            request.contentType(MediaType.APPLICATION_JSON).bodyValue(body);
        }
        return request.exchange();
    }

    /** Sends a request as a user (HS256 token for {@code subject}) and answers the JSON body as a map. */
    @SuppressWarnings("unchecked")
    protected Map<String, Object> ok(String subject, HttpMethod method, String uri, Object body, int status) {
        return call(Tokens.user(subject), method, uri, body)
            .expectStatus().isEqualTo(status)
            .expectBody(Map.class).returnResult().getResponseBody();
    }

    protected static String uniqueSubject(String role) {
        return role + "-" + UUID.randomUUID();
    }

    /** The test clock, preferred over the application's system clock. */
    @TestConfiguration(proxyBeanMethods = false)
    public static class TestClockConfiguration {

        @Bean
        @Primary
        MutableClock mutableClock() {
            return new MutableClock();
        }
    }
}
