package dev.relaygate.controlplane.key;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;

import dev.relaygate.controlplane.testsupport.IntegrationTest;
import dev.relaygate.controlplane.testsupport.JwkFixtures;
import dev.relaygate.controlplane.testsupport.Tokens;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Updating a key's allowlists, JWT public keys, name and expiry, and what gateways then see. */
class KeyPolicyIT extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void updatedAllowlistsAndJwtKeysReachTheSnapshot() throws Exception {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        Map<String, Object> created = createKey(owner, org);
        var ec = JwkFixtures.ec("ec-1");
        Map<String, Object> policy = Map.of(
                "allowedChains", List.of("eth-mainnet", "anvil"),
                "allowedOrigins", List.of("https://app.example.com", "*.example.org"),
                "allowedCidrs", List.of("203.0.113.0/24", "2001:db8::/32"),
                "deniedMethods", List.of("eth_sendRawTransaction"),
                "jwtRequired", true,
                "jwtPublicKeys", List.of(ec.toPublicJWK().toJSONObject(),
                        JwkFixtures.pem(JwkFixtures.rsa("rsa", 2048).toRSAPublicKey())));

        Map<String, Object> updated = ok(owner, HttpMethod.PATCH, "/v1/organizations/" + org + "/keys/" + created.get("id"),
                Map.of("name", "renamed", "policy", policy), 200);

        assertThat(updated).containsEntry("name", "renamed");
        JsonNode snapshot = JSON.readTree(redis().get("rg:key:" + ApiKeyFormat.sha256Hex((String) created.get("secret"))));
        JsonNode published = snapshot.get("policy");
        assertThat(published.get("allowedChains").toString()).isEqualTo("[\"eth-mainnet\",\"anvil\"]");
        assertThat(published.get("allowedCidrs").toString()).isEqualTo("[\"203.0.113.0/24\",\"2001:db8:0:0:0:0:0:0/32\"]");
        assertThat(published.get("deniedMethods").toString()).isEqualTo("[\"eth_sendRawTransaction\"]");
        assertThat(published.get("jwtRequired").asBoolean()).isTrue();
        assertThat(published.get("jwtPublicKeys")).hasSize(2);
        assertThat(published.get("jwtPublicKeys").get(0).get("kid").asString()).isEqualTo("ec-1");
        assertThat(published.get("jwtPublicKeys").get(0).has("d")).isFalse();
        assertThat(published.get("jwtPublicKeys").get(1).get("kty").asString()).isEqualTo("RSA");
        assertThat(snapshot.get("version").asLong()).isGreaterThan(1);
    }

    @Test
    void capsSetThroughThePolicyReachTheSnapshotAndCanBeRemoved() throws Exception {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        Map<String, Object> created = ok(owner, HttpMethod.POST, "/v1/organizations/" + org + "/keys",
                Map.of("name", "browser", "policy", Map.of("allowedOrigins", List.of("https://app.example.com"),
                        "computeUnitsPerSecond", 50, "dailyComputeUnits", 100_000, "monthlyComputeUnits", 2_000_000)),
                201);
        String redisKey = "rg:key:" + ApiKeyFormat.sha256Hex((String) created.get("secret"));

        @SuppressWarnings("unchecked")
        Map<String, Object> shown = (Map<String, Object>) created.get("policy");
        assertThat(shown).containsEntry("dailyComputeUnits", 100_000);
        JsonNode published = JSON.readTree(redis().get(redisKey)).get("policy");
        assertThat(published.get("computeUnitsPerSecond").asLong()).isEqualTo(50);
        assertThat(published.get("dailyComputeUnits").asLong()).isEqualTo(100_000);
        assertThat(published.get("monthlyComputeUnits").asLong()).isEqualTo(2_000_000);

        // A policy replaces the whole policy: one without caps removes them.
        ok(owner, HttpMethod.PATCH, "/v1/organizations/" + org + "/keys/" + created.get("id"),
                Map.of("policy", Map.of("allowedOrigins", List.of("https://app.example.com"))), 200);

        JsonNode after = JSON.readTree(redis().get(redisKey)).get("policy");
        assertThat(after.get("dailyComputeUnits").isNull()).isTrue();
        assertThat(after.get("computeUnitsPerSecond").isNull()).isTrue();
        assertThat(after.get("allowedOrigins").toString()).isEqualTo("[\"https://app.example.com\"]");
    }

    @Test
    void capsThatAreNotPositiveOrADailyCapAboveTheMonthlyOneAreRefused() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);

        call(Tokens.user(owner), HttpMethod.POST, "/v1/organizations/" + org + "/keys",
                Map.of("name", "k", "policy", Map.of("computeUnitsPerSecond", 0, "dailyComputeUnits", 5_000,
                        "monthlyComputeUnits", 1_000)))
            .expectStatus().isBadRequest()
            .expectBody()
            .jsonPath("$.errors[0].field").isEqualTo("policy.computeUnitsPerSecond")
            .jsonPath("$.errors[1].field").isEqualTo("policy.dailyComputeUnits");
    }

    @Test
    void anInvalidPolicyIsRefusedFieldByFieldAndChangesNothing() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        Map<String, Object> created = createKey(owner, org);
        String before = redis().get("rg:key:" + ApiKeyFormat.sha256Hex((String) created.get("secret")));

        call(Tokens.user(owner), HttpMethod.PATCH, "/v1/organizations/" + org + "/keys/" + created.get("id"),
                Map.of("policy", Map.of("allowedCidrs", List.of("not-an-ip"), "jwtPublicKeys", List.of("garbage"))))
            .expectStatus().isBadRequest()
            .expectBody()
            .jsonPath("$.errors[0].field").isEqualTo("policy.allowedCidrs[0]")
            .jsonPath("$.errors[1].field").isEqualTo("policy.jwtPublicKeys[0]");

        assertThat(redis().get("rg:key:" + ApiKeyFormat.sha256Hex((String) created.get("secret")))).isEqualTo(before);
    }

    @Test
    void anExpirySetAtCreationIsPublishedAndCanBeRemoved() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        String expiresAt = clock.instant().plus(Duration.ofDays(7)).toString();
        Map<String, Object> created = ok(owner, HttpMethod.POST, "/v1/organizations/" + org + "/keys",
                Map.of("name", "temporary", "expiresAt", expiresAt), 201);
        String redisKey = "rg:key:" + ApiKeyFormat.sha256Hex((String) created.get("secret"));

        assertThat(JSON.readTree(redis().get(redisKey)).get("expiresAt").isNull()).isFalse();

        ok(owner, HttpMethod.PATCH, "/v1/organizations/" + org + "/keys/" + created.get("id"),
                Map.of("removeExpiry", true), 200);

        assertThat(JSON.readTree(redis().get(redisKey)).get("expiresAt").isNull()).isTrue();
    }

    @Test
    void anExpiryInThePastIsRefused() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);

        call(Tokens.user(owner), HttpMethod.POST, "/v1/organizations/" + org + "/keys",
                Map.of("name", "late", "expiresAt", clock.instant().minusSeconds(5).toString()))
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.errors[0].field").isEqualTo("expiresAt");
    }

    @Test
    void listsFilterByRevocationAndNameAndPageWithCursors() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        for (int i = 0; i < 5; i++) {
            ok(owner, HttpMethod.POST, "/v1/organizations/" + org + "/keys", Map.of("name", "alpha " + i), 201);
        }
        Map<String, Object> beta = ok(owner, HttpMethod.POST, "/v1/organizations/" + org + "/keys",
                Map.of("name", "beta"), 201);
        ok(owner, HttpMethod.POST, "/v1/organizations/" + org + "/keys/" + beta.get("id") + "/revoke", null, 200);

        assertThat((List<?>) ok(owner, HttpMethod.GET, "/v1/organizations/" + org + "/keys?revoked=true", null, 200)
            .get("items")).hasSize(1);
        assertThat((List<?>) ok(owner, HttpMethod.GET, "/v1/organizations/" + org + "/keys?name=ALPHA", null, 200)
            .get("items")).hasSize(5);
        Map<String, Object> first = ok(owner, HttpMethod.GET, "/v1/organizations/" + org + "/keys?limit=4", null, 200);
        Map<String, Object> second = ok(owner, HttpMethod.GET,
                "/v1/organizations/" + org + "/keys?limit=4&cursor=" + first.get("nextCursor"), null, 200);
        assertThat((List<?>) first.get("items")).hasSize(4);
        assertThat((List<?>) second.get("items")).hasSize(2);
        assertThat(second.get("nextCursor")).isNull();
        call(Tokens.user(owner), HttpMethod.GET, "/v1/organizations/" + org + "/keys?cursor=bogus", null)
            .expectStatus().isBadRequest();
        call(Tokens.user(owner), HttpMethod.GET, "/v1/organizations/" + org + "/keys?limit=1000", null)
            .expectStatus().isBadRequest();
    }
}
