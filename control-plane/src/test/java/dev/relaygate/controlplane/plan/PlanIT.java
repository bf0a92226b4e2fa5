package dev.relaygate.controlplane.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;

import dev.relaygate.controlplane.key.ApiKeyFormat;
import dev.relaygate.controlplane.testsupport.IntegrationTest;
import dev.relaygate.controlplane.testsupport.Invalidations;
import dev.relaygate.controlplane.testsupport.Tokens;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Plans: managed by platform administrators, published to Redis, assigned to organizations. */
class PlanIT extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    static Map<String, Object> planBody(String name) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("computeUnitsPerSecond", 1000);
        body.put("burstComputeUnits", 2000);
        body.put("computeUnitsPerMinute", 50000);
        body.put("monthlyComputeUnits", 100000000L);
        body.put("maxBatchSize", 200);
        body.put("maxBodyBytes", 2097152);
        body.put("allowedChains", List.of("eth-mainnet"));
        body.put("methodClasses", List.of("standard", "trace"));
        return body;
    }

    private Map<String, Object> createPlan(String name) {
        @SuppressWarnings("unchecked")
        Map<String, Object> plan = call(Tokens.admin("platform-admin"), HttpMethod.POST, "/v1/plans", planBody(name))
            .expectStatus().isCreated()
            .expectBody(Map.class).returnResult().getResponseBody();
        return plan;
    }

    @Test
    void aPlatformAdminCreatesAPlanThatIsPublishedAtOnce() {
        Map<String, Object> plan = createPlan("growth-" + UUID.randomUUID());

        JsonNode snapshot = JSON.readTree(redis().get("rg:plan:" + plan.get("id")));
        assertThat(snapshot.get("computeUnitsPerSecond").asInt()).isEqualTo(1000);
        assertThat(snapshot.get("version").asLong()).isEqualTo(1);
        assertThat(snapshot.get("methodClasses").toString()).isEqualTo("[\"standard\",\"trace\"]");
    }

    @Test
    void editingAPlanRepublishesItsSnapshotAndAnnouncesItWithinASecond() {
        Map<String, Object> plan = createPlan("edit-" + UUID.randomUUID());
        String id = (String) plan.get("id");
        try (Invalidations invalidations = new Invalidations(redisClient())) {
            long started = System.nanoTime();

            call(Tokens.admin("platform-admin"), HttpMethod.PATCH, "/v1/plans/" + id,
                    Map.of("computeUnitsPerSecond", 1500, "burstComputeUnits", 3000))
                .expectStatus().isOk()
                .expectBody().jsonPath("$.version").isEqualTo(2);

            JsonNode snapshot = JSON.readTree(redis().get("rg:plan:" + id));
            assertThat(snapshot.get("computeUnitsPerSecond").asInt()).isEqualTo(1500);
            assertThat(snapshot.get("version").asLong()).isEqualTo(2);
            await().atMost(Duration.ofSeconds(1)).until(() -> invalidations.anyContains(id));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
            JsonNode message = JSON.readTree(invalidations.messages().stream().filter(m -> m.contains(id))
                .findFirst().orElseThrow());
            assertThat(message.get("kind").asString()).isEqualTo("plan");
            assertThat(message.get("version").asLong()).isEqualTo(2);
        }
    }

    @Test
    void usersWhoAreNotPlatformAdminsCannotManagePlans() {
        Map<String, Object> plan = createPlan("guarded-" + UUID.randomUUID());

        call(Tokens.user("someone"), HttpMethod.POST, "/v1/plans", planBody("x-" + UUID.randomUUID()))
            .expectStatus().isForbidden();
        call(Tokens.user("someone"), HttpMethod.PATCH, "/v1/plans/" + plan.get("id"), Map.of("maxBatchSize", 1))
            .expectStatus().isForbidden();
        call(Tokens.user("someone"), HttpMethod.POST, "/v1/plans/" + plan.get("id") + "/archive", null)
            .expectStatus().isForbidden();
    }

    @Test
    void archivedPlansDisappearForUsersButNotForAdmins() {
        Map<String, Object> plan = createPlan("old-" + UUID.randomUUID());
        String id = (String) plan.get("id");

        call(Tokens.admin("platform-admin"), HttpMethod.POST, "/v1/plans/" + id + "/archive", null)
            .expectStatus().isOk()
            .expectBody().jsonPath("$.archivedAt").isNotEmpty();

        call(Tokens.user("someone"), HttpMethod.GET, "/v1/plans/" + id, null).expectStatus().isNotFound();
        call(Tokens.admin("platform-admin"), HttpMethod.GET, "/v1/plans/" + id, null).expectStatus().isOk();
    }

    @Test
    void theFreePlanCannotBeArchived() {
        call(Tokens.admin("platform-admin"), HttpMethod.POST, "/v1/plans/" + Plan.FREE_PLAN_ID + "/archive", null)
            .expectStatus().isEqualTo(409);
    }

    @Test
    void twoLivePlansCannotShareAName() {
        String name = "twin-" + UUID.randomUUID();
        createPlan(name);

        call(Tokens.admin("platform-admin"), HttpMethod.POST, "/v1/plans", planBody(name))
            .expectStatus().isEqualTo(409);
    }

    @Test
    void aPlanNeedsEveryLimitAndABurstAtLeastTheRate() {
        Map<String, Object> body = planBody("bad-" + UUID.randomUUID());
        body.put("burstComputeUnits", 10);

        call(Tokens.admin("platform-admin"), HttpMethod.POST, "/v1/plans", body)
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.errors[0].field").isEqualTo("burstComputeUnits");
        call(Tokens.admin("platform-admin"), HttpMethod.POST, "/v1/plans", Map.of("name", "incomplete"))
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.errors.length()").isEqualTo(6);
    }

    @Test
    void assigningAPlanRewritesTheKeySnapshotsOfTheOrganization() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        String hash = ApiKeyFormat.sha256Hex((String) createKey(owner, org).get("secret"));
        long before = JSON.readTree(redis().get("rg:key:" + hash)).get("version").asLong();
        Map<String, Object> plan = createPlan("assigned-" + UUID.randomUUID());

        call(Tokens.user(owner), HttpMethod.PUT, "/v1/organizations/" + org + "/plan", Map.of("planId", plan.get("id")))
            .expectStatus().isForbidden();
        call(Tokens.admin("platform-admin"), HttpMethod.PUT, "/v1/organizations/" + org + "/plan",
                Map.of("planId", plan.get("id")))
            .expectStatus().isOk()
            .expectBody().jsonPath("$.planId").isEqualTo(plan.get("id"));

        JsonNode snapshot = JSON.readTree(redis().get("rg:key:" + hash));
        assertThat(snapshot.get("planId").asString()).isEqualTo(plan.get("id"));
        assertThat(snapshot.get("version").asLong()).isGreaterThan(before);
    }

    @Test
    void usersSeePublicLivePlansInPages() {
        createPlan("page-a-" + UUID.randomUUID());
        createPlan("page-b-" + UUID.randomUUID());

        Map<String, Object> first = ok("someone", HttpMethod.GET, "/v1/plans?limit=1", null, 200);

        assertThat((List<?>) first.get("items")).hasSize(1);
        assertThat(first.get("nextCursor")).isNotNull();
        Map<String, Object> second = ok("someone", HttpMethod.GET, "/v1/plans?limit=1&cursor=" + first.get("nextCursor"),
                null, 200);
        assertThat(second.get("items")).isNotEqualTo(first.get("items"));
    }

    @Test
    void aMethodClassNoGatewayKnowsIsRefusedNamingTheFieldAndTheAllowedClasses() {
        Map<String, Object> body = planBody("unknown-class-" + UUID.randomUUID());
        body.put("methodClasses", List.of("standard", "nonsense"));

        call(Tokens.admin("platform-admin"), HttpMethod.POST, "/v1/plans", body)
            .expectStatus().isBadRequest()
            .expectBody()
            .jsonPath("$.errors[0].field").isEqualTo("methodClasses[1]")
            .jsonPath("$.errors[0].message").isEqualTo("must be one of standard, debug, trace, admin");
        String id = (String) createPlan("known-classes-" + UUID.randomUUID()).get("id");
        call(Tokens.admin("platform-admin"), HttpMethod.PATCH, "/v1/plans/" + id, Map.of("methodClasses",
                List.of("nonsense")))
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.errors[0].field").isEqualTo("methodClasses[0]");
    }
}
