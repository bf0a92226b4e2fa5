package dev.relaygate.controlplane.key;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.relaygate.controlplane.testsupport.IntegrationTest;
import dev.relaygate.controlplane.testsupport.Tokens;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Rotation: the old secret keeps working through the grace period and is refused after it, with time moved by
 * a controllable clock instead of waiting.
 */
class KeyRotationIT extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    private RotationSweeper sweeper;

    /** The gateway's rule (contract rules 2 and 5): active and not past {@code expiresAt}. */
    private static boolean accepted(JsonNode snapshot, Instant now) {
        if (snapshot == null || !"active".equals(snapshot.get("status").asString())) {
            return false;
        }
        JsonNode expiresAt = snapshot.get("expiresAt");
        return expiresAt.isNull() || Instant.parse(expiresAt.asString()).isAfter(now);
    }

    private JsonNode snapshot(String secret) {
        String stored = redis().get("rg:key:" + ApiKeyFormat.sha256Hex(secret));
        return stored == null ? null : JSON.readTree(stored);
    }

    @Test
    void oldSecretWorksInsideTheGracePeriodAndIsRefusedAfterIt() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        Map<String, Object> created = createKey(owner, org);
        String oldSecret = (String) created.get("secret");

        Map<String, Object> rotated = ok(owner, HttpMethod.POST,
                "/v1/organizations/" + org + "/keys/" + created.get("id") + "/rotate",
                Map.of("gracePeriodSeconds", 3600), 200);
        String newSecret = (String) rotated.get("secret");

        assertThat(newSecret).isNotEqualTo(oldSecret);
        assertThat(ApiKeyFormat.isValid(newSecret)).isTrue();
        assertThat(rotated.get("id")).isEqualTo(created.get("id"));
        assertThat(rotated.get("displayPrefix")).isEqualTo(newSecret.substring(0, 12));
        assertThat(accepted(snapshot(oldSecret), clock.instant())).as("old secret inside grace").isTrue();
        assertThat(accepted(snapshot(newSecret), clock.instant())).as("new secret").isTrue();
        assertThat(Instant.parse(snapshot(oldSecret).get("expiresAt").asString()))
            .isBetween(clock.instant().plusSeconds(3590), clock.instant().plusSeconds(3600));
        internalSnapshot(oldSecret).expectStatus().isOk();

        clock.advance(Duration.ofSeconds(3601));

        assertThat(accepted(snapshot(oldSecret), clock.instant())).as("old secret after grace, by expiresAt")
            .isFalse();
        assertThat(sweeper.sweep().block()).isPositive();
        assertThat(snapshot(oldSecret).get("status").asString()).isEqualTo("revoked");
        assertThat(accepted(snapshot(newSecret), clock.instant())).as("new secret after grace").isTrue();
        internalSnapshot(oldSecret).expectStatus().isNotFound();
        internalSnapshot(newSecret).expectStatus().isOk();
        assertThat((List<?>) ok(owner, HttpMethod.GET, "/v1/organizations/" + org + "/audit-log?action="
                + "key.retire-previous-secret&targetId=" + created.get("id"), null, 200).get("items")).hasSize(1);
    }

    @Test
    void withoutAGraceBodyTheConfiguredGraceApplies() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        Map<String, Object> created = createKey(owner, org);

        ok(owner, HttpMethod.POST, "/v1/organizations/" + org + "/keys/" + created.get("id") + "/rotate", null, 200);

        Instant graceEnd = Instant.parse(snapshot((String) created.get("secret")).get("expiresAt").asString());
        assertThat(graceEnd).isBetween(clock.instant().plus(Duration.ofHours(24)).minusSeconds(10),
                clock.instant().plus(Duration.ofHours(24)));
    }

    @Test
    void aZeroGraceRetiresTheOldSecretAtOnce() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        Map<String, Object> created = createKey(owner, org);

        ok(owner, HttpMethod.POST, "/v1/organizations/" + org + "/keys/" + created.get("id") + "/rotate",
                Map.of("gracePeriodSeconds", 0), 200);

        assertThat(snapshot((String) created.get("secret")).get("status").asString()).isEqualTo("revoked");
        internalSnapshot((String) created.get("secret")).expectStatus().isNotFound();
    }

    @Test
    void rotatingAgainRetiresTheSecretStillInGrace() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        Map<String, Object> created = createKey(owner, org);
        String path = "/v1/organizations/" + org + "/keys/" + created.get("id") + "/rotate";
        Map<String, Object> second = ok(owner, HttpMethod.POST, path, null, 200);

        Map<String, Object> third = ok(owner, HttpMethod.POST, path, null, 200);

        assertThat(snapshot((String) created.get("secret")).get("status").asString()).isEqualTo("revoked");
        assertThat(accepted(snapshot((String) second.get("secret")), clock.instant())).isTrue();
        assertThat(accepted(snapshot((String) third.get("secret")), clock.instant())).isTrue();
    }

    @Test
    void aRevokedKeyCannotBeRotatedAndRevocationCoversTheSecretInGrace() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        Map<String, Object> created = createKey(owner, org);
        String base = "/v1/organizations/" + org + "/keys/" + created.get("id");
        ok(owner, HttpMethod.POST, base + "/rotate", null, 200);

        ok(owner, HttpMethod.POST, base + "/revoke", null, 200);

        assertThat(snapshot((String) created.get("secret")).get("status").asString()).isEqualTo("revoked");
        call(Tokens.user(owner), HttpMethod.POST, base + "/rotate", null).expectStatus().isEqualTo(409);
    }

    @Test
    void aGraceLongerThanTheMaximumIsRefused() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        Map<String, Object> created = createKey(owner, org);

        call(Tokens.user(owner), HttpMethod.POST, "/v1/organizations/" + org + "/keys/" + created.get("id") + "/rotate",
                Map.of("gracePeriodSeconds", Duration.ofDays(31).toSeconds()))
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.errors[0].field").isEqualTo("gracePeriodSeconds");
    }

    private WebTestClient.ResponseSpec internalSnapshot(String secret) {
        return call(Tokens.INTERNAL_TOKEN, HttpMethod.GET,
                "/internal/v1/key-snapshots/" + ApiKeyFormat.sha256Hex(secret), null);
    }
}
