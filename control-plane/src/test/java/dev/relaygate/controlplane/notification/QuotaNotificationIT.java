package dev.relaygate.controlplane.notification;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpMethod;

import dev.relaygate.controlplane.testsupport.IntegrationTest;
import dev.relaygate.controlplane.testsupport.Tokens;
import dev.relaygate.controlplane.usage.UsageStreamFixture;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Quota notifications end to end: usage fed through rg:usage as gateways send it, thresholds detected by the
 * control plane, webhooks POSTed to a WireMock receiver on loopback and verified here with the secret the API issued.
 */
class QuotaNotificationIT extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static WireMockServer receiver;

    @BeforeAll
    static void startReceiver() {
        receiver = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        receiver.start();
    }

    @AfterAll
    static void stopReceiver() {
        receiver.stop();
    }

    @Test
    void anOrganizationCrossingEightyThenOneHundredPercentGetsOneSignedDeliveryForEach() throws Exception {
        String owner = uniqueSubject("owner");
        UUID org = organizationWithQuota(owner, 1_000);
        UUID key = UUID.fromString((String) createKey(owner, org).get("id"));
        String path = "/hooks/" + org;
        receiver.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(204)));
        String secret = setWebhook(owner, org, path);

        feed(org, key, 500);
        assertThat(deliveryRows(org)).as("50 %% fires nothing").isZero();

        feed(org, key, 350);
        await().atMost(Duration.ofSeconds(20)).until(() -> requests(path).size() == 1);
        feed(org, key, 100);
        feed(org, key, 100);
        await().atMost(Duration.ofSeconds(20)).until(() -> requests(path).size() == 2);
        feed(org, key, 300);
        await().atMost(Duration.ofSeconds(20)).until(() -> statuses(org).equals(List.of("delivered", "delivered")));

        List<LoggedRequest> received = requests(path);
        assertThat(received).hasSize(2);
        assertThat(deliveryRows(org)).isEqualTo(2);
        JsonNode eighty = verified(received.get(0), secret);
        JsonNode hundred = verified(received.get(1), secret);
        assertThat(eighty.get("threshold").asInt()).isEqualTo(80);
        assertThat(eighty.get("used").asLong()).isEqualTo(850);
        assertThat(hundred.get("threshold").asInt()).isEqualTo(100);
        assertThat(hundred.get("used").asLong()).isEqualTo(1_050);
        for (JsonNode payload : List.of(eighty, hundred)) {
            assertThat(payload.get("type").asString()).isEqualTo("quota.threshold_reached");
            assertThat(payload.get("organizationId").asString()).isEqualTo(org.toString());
            assertThat(payload.get("subject").get("kind").asString()).isEqualTo("org");
            assertThat(payload.get("quota").asString()).isEqualTo("monthly");
            assertThat(payload.get("limit").asLong()).isEqualTo(1_000);
        }
        assertThat(received.get(0).getHeader("Relaygate-Delivery")).isEqualTo(eighty.get("id").asString());

        call(Tokens.user(owner), HttpMethod.GET, "/v1/organizations/" + org + "/notifications/deliveries", null)
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.items.length()").isEqualTo(2)
            .jsonPath("$.items[0].threshold").isEqualTo(100)
            .jsonPath("$.items[0].status").isEqualTo("delivered")
            .jsonPath("$.items[0].attempts").isEqualTo(1)
            .jsonPath("$.items[0].lastStatusCode").isEqualTo(204)
            .jsonPath("$.items[0].payload.used").isEqualTo(1_050)
            .jsonPath("$.items[1].threshold").isEqualTo(80)
            .jsonPath("$.items[1].subjectKind").isEqualTo("org")
            .jsonPath("$.items[1].subjectId").isEqualTo(org.toString())
            .jsonPath("$.nextCursor").doesNotExist();
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void aDeliveryTheReceiverRefusesIsRetriedUntilItIsTaken(CapturedOutput output) throws Exception {
        String owner = uniqueSubject("owner");
        UUID org = organizationWithQuota(owner, 100);
        UUID key = UUID.fromString((String) createKey(owner, org).get("id"));
        String token = "receiver-token-" + UUID.randomUUID();
        String path = "/hooks/" + org + "?token=" + token;
        receiver.stubFor(post(urlEqualTo(path)).inScenario(path).whenScenarioStateIs(STARTED)
            .willReturn(aResponse().withStatus(500)).willSetStateTo("recovered"));
        receiver.stubFor(post(urlEqualTo(path)).inScenario(path).whenScenarioStateIs("recovered")
            .willReturn(aResponse().withStatus(200)));
        String secret = setWebhook(owner, org, path);

        feed(org, key, 80);
        await().atMost(Duration.ofSeconds(20)).until(() -> "500".equals(field(org, "last_status")));
        assertThat(field(org, "status")).isEqualTo("pending");
        assertThat(field(org, "attempts")).isEqualTo("1");
        // The retry is due within max-backoff (2 s in tests); moving the clock makes it due now.
        clock.advance(Duration.ofSeconds(2));
        await().atMost(Duration.ofSeconds(20)).until(() -> "delivered".equals(field(org, "status")));

        List<LoggedRequest> received = requests(path);
        assertThat(received).hasSize(2);
        assertThat(received.get(0).getBodyAsString()).isEqualTo(received.get(1).getBodyAsString());
        assertThat(received.get(1).getHeader("Relaygate-Delivery"))
            .isEqualTo(received.get(0).getHeader("Relaygate-Delivery"));
        assertThat(received.get(0).getHeader("Relaygate-Attempt")).isEqualTo("1");
        assertThat(received.get(1).getHeader("Relaygate-Attempt")).isEqualTo("2");
        verified(received.get(0), secret);
        assertThat(verified(received.get(1), secret).get("threshold").asInt()).isEqualTo(80);
        call(Tokens.user(owner), HttpMethod.GET, "/v1/organizations/" + org + "/notifications/deliveries", null)
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.items.length()").isEqualTo(1)
            .jsonPath("$.items[0].attempts").isEqualTo(2)
            .jsonPath("$.items[0].status").isEqualTo("delivered")
            .jsonPath("$.items[0].lastStatusCode").isEqualTo(200)
            .jsonPath("$.items[0].deliveredAt").exists();
        // The failed attempt was logged: without the signing secret, and without the receiver's token in the URL.
        assertThat(output.getAll()).contains("attempt 1 failed (HTTP 500)").doesNotContain(secret)
            .doesNotContain(token);
    }

    @Test
    void aDeliveryIsGivenUpAfterMaxAttempts() {
        String owner = uniqueSubject("owner");
        UUID org = organizationWithQuota(owner, 100);
        UUID key = UUID.fromString((String) createKey(owner, org).get("id"));
        String path = "/hooks/" + org;
        receiver.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(503)));
        setWebhook(owner, org, path);

        feed(org, key, 100);
        // Both thresholds at once: two deliveries, each tried max-attempts (3 in tests) times.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            clock.advance(Duration.ofSeconds(2));
            return statuses(org).equals(List.of("failed", "failed"));
        });

        assertThat(requests(path)).hasSize(6);
        call(Tokens.user(owner), HttpMethod.GET,
                "/v1/organizations/" + org + "/notifications/deliveries?status=failed", null)
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.items.length()").isEqualTo(2)
            .jsonPath("$.items[0].attempts").isEqualTo(3)
            .jsonPath("$.items[0].lastStatusCode").isEqualTo(503)
            .jsonPath("$.items[0].lastError").isEqualTo("HTTP 503")
            .jsonPath("$.items[0].nextAttemptAt").doesNotExist();
    }

    @Test
    void aKeyCrossingItsDailyCapGetsADeliveryOfItsOwnOncePerDay() throws Exception {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        Map<String, Object> capped = ok(owner, HttpMethod.POST, "/v1/organizations/" + org + "/keys",
                Map.of("name", "browser", "policy", Map.of("dailyComputeUnits", 100)), 201);
        UUID key = UUID.fromString((String) capped.get("id"));
        String path = "/hooks/" + org;
        receiver.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200)));
        String secret = setWebhook(owner, org, path);

        feed(org, key, 85);
        await().atMost(Duration.ofSeconds(20)).until(() -> requests(path).size() == 1);
        feed(org, key, 5);
        await().atMost(Duration.ofSeconds(20)).until(() -> statuses(org).equals(List.of("delivered")));

        assertThat(requests(path)).hasSize(1);
        JsonNode payload = verified(requests(path).get(0), secret);
        assertThat(payload.get("subject").get("kind").asString()).isEqualTo("key");
        assertThat(payload.get("subject").get("id").asString()).isEqualTo(key.toString());
        assertThat(payload.get("subject").get("name").asString()).isEqualTo("browser");
        assertThat(payload.get("quota").asString()).isEqualTo("daily");
        assertThat(payload.get("threshold").asInt()).isEqualTo(80);
        assertThat(payload.get("used").asLong()).isEqualTo(85);
        assertThat(payload.get("limit").asLong()).isEqualTo(100);
        Instant today = clock.instant().truncatedTo(ChronoUnit.DAYS);
        assertThat(payload.get("periodStart").asString()).isEqualTo(today.toString());
        assertThat(payload.get("periodEnd").asString()).isEqualTo(today.plus(1, ChronoUnit.DAYS).toString());
    }

    @Test
    void withoutAWebhookACrossingIsRecordedAsSkippedAndNothingIsSent() {
        String owner = uniqueSubject("owner");
        UUID org = organizationWithQuota(owner, 100);
        UUID key = UUID.fromString((String) createKey(owner, org).get("id"));

        feed(org, key, 90);

        assertThat(statuses(org)).containsExactly("skipped");
        assertThat(receiver.findAll(postRequestedFor(urlEqualTo("/hooks/" + org)))).isEmpty();
    }

    @Test
    void theSecretIsAnsweredOnlyWhenIssuedAndRotationReplacesIt() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        String webhook = "/v1/organizations/" + org + "/notifications/webhook";

        Map<String, Object> none = ok(owner, HttpMethod.GET, webhook, null, 200);
        Map<String, Object> first = ok(owner, HttpMethod.PUT, webhook, Map.of("url", receiverUrl("/a")), 200);
        Map<String, Object> moved = ok(owner, HttpMethod.PUT, webhook, Map.of("url", receiverUrl("/b")), 200);
        Map<String, Object> read = ok(owner, HttpMethod.GET, webhook, null, 200);
        Map<String, Object> rotated = ok(owner, HttpMethod.PUT, webhook,
                Map.of("url", receiverUrl("/b"), "rotateSecret", true), 200);

        assertThat(none.get("configured")).isEqualTo(false);
        String secret = (String) first.get("signingSecret");
        assertThat(secret).startsWith("rgwhsec_").hasSizeGreaterThanOrEqualTo(40);
        assertThat(moved.get("signingSecret")).isNull();
        assertThat(moved.get("secretPrefix")).isEqualTo(secret.substring(0, 14));
        assertThat(read.get("url")).isEqualTo(receiverUrl("/b"));
        assertThat(read.get("signingSecret")).isNull();
        assertThat(read.get("secretPrefix")).isEqualTo(secret.substring(0, 14));
        assertThat((String) rotated.get("signingSecret")).startsWith("rgwhsec_").isNotEqualTo(secret);
        String stored = db.sql("select signing_secret from notification_webhooks where organization_id = :org")
            .bind("org", org).map(row -> row.get(0, String.class)).one().block();
        assertThat(stored).isEqualTo(rotated.get("signingSecret"));
        String audit = db.sql("select string_agg(after::text, ' ') from audit_log where organization_id = :org "
                + "and action = 'notification.webhook.set'").bind("org", org).map(row -> row.get(0, String.class))
            .one().block();
        assertThat(audit).contains("secretIssued").doesNotContain(secret).doesNotContain(stored);
    }

    @Test
    void aUrlThatIsNotHttpIsRefusedWithAProblem() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);

        call(Tokens.user(owner), HttpMethod.PUT, "/v1/organizations/" + org + "/notifications/webhook",
                Map.of("url", "file:///etc/passwd"))
            .expectStatus().isBadRequest()
            .expectHeader().contentType("application/problem+json")
            .expectBody()
            .jsonPath("$.errors[0].field").isEqualTo("url");
    }

    private UUID organizationWithQuota(String owner, long monthlyComputeUnits) {
        UUID org = createOrganization(owner);
        Map<String, Object> plan = new HashMap<>();
        plan.put("name", "quota-" + UUID.randomUUID());
        plan.put("computeUnitsPerSecond", 1000);
        plan.put("burstComputeUnits", 2000);
        plan.put("computeUnitsPerMinute", 50000);
        plan.put("monthlyComputeUnits", monthlyComputeUnits);
        plan.put("maxBatchSize", 100);
        plan.put("maxBodyBytes", 1048576);
        String planId = (String) call(Tokens.admin("platform-admin"), HttpMethod.POST, "/v1/plans", plan)
            .expectStatus().isCreated()
            .expectBody(Map.class).returnResult().getResponseBody().get("id");
        call(Tokens.admin("platform-admin"), HttpMethod.PUT, "/v1/organizations/" + org + "/plan",
                Map.of("planId", planId)).expectStatus().isOk();
        return org;
    }

    private String setWebhook(String owner, UUID org, String path) {
        Map<String, Object> answer = ok(owner, HttpMethod.PUT, "/v1/organizations/" + org + "/notifications/webhook",
                Map.of("url", receiverUrl(path)), 200);
        return (String) answer.get("signingSecret");
    }

    private static String receiverUrl(String path) {
        return "http://127.0.0.1:" + receiver.port() + path;
    }

    /** Usage of one key now, sent as a gateway sends it; returns once the control plane has counted it. */
    private void feed(UUID org, UUID key, long computeUnits) {
        UsageStreamFixture.Row row = new UsageStreamFixture.Row(clock.instant().truncatedTo(ChronoUnit.MINUTES), org,
                key, "eth-mainnet", "eth_call", "ok", 1, computeUnits, 12);
        String id = UsageStreamFixture.append(redis(), UsageStreamFixture.batch("notify-" + UUID.randomUUID(),
                List.of(row)));
        UsageStreamFixture.awaitAcknowledged(redis(), id);
    }

    private static List<LoggedRequest> requests(String path) {
        return receiver.findAll(postRequestedFor(urlEqualTo(path)));
    }

    private long deliveryRows(UUID org) {
        return db.sql("select count(*) from notification_deliveries where organization_id = :org").bind("org", org)
            .map(row -> row.get(0, Long.class)).one().block();
    }

    private List<String> statuses(UUID org) {
        return db.sql("select status from notification_deliveries where organization_id = :org order by threshold")
            .bind("org", org).map(row -> row.get(0, String.class)).all().collectList().block();
    }

    private String field(UUID org, String column) {
        return db.sql("select coalesce(" + column + "::text, '') from notification_deliveries where organization_id = :org")
            .bind("org", org).map(row -> row.get(0, String.class)).one().block();
    }

    /** Checks the request's signature as a receiver would (docs/usage-and-quotas.md) and answers its body. */
    private static JsonNode verified(LoggedRequest request, String secret) throws Exception {
        String header = request.getHeader("Relaygate-Signature");
        assertThat(header).matches("t=\\d+,v1=[0-9a-f]{64}");
        String timestamp = header.substring(2, header.indexOf(','));
        String signature = header.substring(header.indexOf("v1=") + 3);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
        byte[] expected = mac.doFinal(request.getBody());
        assertThat(MessageDigest.isEqual(expected, HexFormat.of().parseHex(signature))).as("signature").isTrue();
        assertThat(Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp))).isLessThan(300);
        assertThat(request.getHeader("Content-Type")).startsWith("application/json");
        return JSON.readTree(request.getBody());
    }
}
