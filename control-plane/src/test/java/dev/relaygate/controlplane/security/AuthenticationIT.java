package dev.relaygate.controlplane.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

import dev.relaygate.controlplane.key.ApiKeyFormat;
import dev.relaygate.controlplane.testsupport.IntegrationTest;
import dev.relaygate.controlplane.testsupport.Tokens;

/** Who may call what: user tokens on /v1, the service token on /internal, nothing else. */
class AuthenticationIT extends IntegrationTest {

    @Test
    void refusesAMissingTokenWithAProblem() {
        http.get().uri("/v1/organizations/{org}/keys", UUID.randomUUID())
            .exchange()
            .expectStatus().isUnauthorized()
            .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
            .expectBody()
            .jsonPath("$.status").isEqualTo(401)
            .jsonPath("$.title").isEqualTo("Unauthorized");
    }

    @Test
    void refusesAMalformedToken() {
        expectUnauthorized("not-a-jwt");
    }

    @Test
    void refusesATokenSignedWithAnotherSecret() {
        expectUnauthorized(Tokens.builder("someone").secret("another-secret-that-is-also-32-bytes-long!").build().sign());
    }

    @Test
    void refusesATokenOfAnotherIssuer() {
        expectUnauthorized(Tokens.builder("someone").issuer("https://evil.example").build().sign());
    }

    @Test
    void refusesATokenForAnotherAudience() {
        expectUnauthorized(Tokens.builder("someone").audience("another-service").build().sign());
    }

    @Test
    void refusesAnExpiredToken() {
        expectUnauthorized(Tokens.builder("someone").expiresAt(Instant.now().minusSeconds(600)).build().sign());
    }

    @Test
    void refusesTheServiceTokenOnTheUserApi() {
        expectUnauthorized(Tokens.INTERNAL_TOKEN);
    }

    @Test
    void answersNotFoundForTheKeysOfAnotherOrganization() {
        String owner = uniqueSubject("owner");
        String stranger = uniqueSubject("stranger");
        UUID org = createOrganization(owner);
        Map<String, Object> key = createKey(owner, org);
        createOrganization(stranger);

        http.get().uri("/v1/organizations/{org}/keys", org)
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(stranger)))
            .exchange()
            .expectStatus().isNotFound()
            .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        http.post().uri("/v1/organizations/{org}/keys/{key}/revoke", org, key.get("id"))
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(stranger)))
            .exchange()
            .expectStatus().isNotFound();
        http.post().uri("/v1/organizations/{org}/keys", org)
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(stranger)))
            .bodyValue(Map.of("name", "intruder"))
            .exchange()
            .expectStatus().isNotFound();
    }

    @Test
    void internalEndpointsAnswerTheServiceTokenOnly() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        String hash = ApiKeyFormat.sha256Hex((String) createKey(owner, org).get("secret"));

        http.get().uri("/internal/v1/key-snapshots/{hash}", hash)
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.INTERNAL_TOKEN))
            .exchange()
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.hash").isEqualTo(hash)
            .jsonPath("$.status").isEqualTo("active");
        http.get().uri("/internal/v1/key-snapshots/{hash}", hash)
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(owner)))
            .exchange()
            .expectStatus().isUnauthorized();
        http.get().uri("/internal/v1/key-snapshots/{hash}", hash)
            .exchange()
            .expectStatus().isUnauthorized();
    }

    @Test
    void pathParametersOrEncodingDoNotSlipPastAuthentication() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        String hash = ApiKeyFormat.sha256Hex((String) createKey(owner, org).get("secret"));

        for (String path : new String[] { "/internal;x=1/v1/key-snapshots/" + hash,
                "/%69nternal/v1/key-snapshots/" + hash, "/internal/v1;x=1/key-snapshots/" + hash }) {
            http.get().uri(URI.create("http://127.0.0.1:" + port + path))
                .exchange()
                .expectStatus().value(status -> assertThat(status).as(path).isIn(401, 404));
        }
        for (String path : new String[] { "/v1;x=1/organizations", "/%76" + "1/organizations" }) {
            http.get().uri(URI.create("http://127.0.0.1:" + port + path))
                .exchange()
                .expectStatus().value(status -> assertThat(status).as(path).isIn(401, 404));
        }
    }

    @Test
    void internalEndpointsAnswerNotFoundForUnknownSnapshots() {
        http.get().uri("/internal/v1/key-snapshots/{hash}", "0".repeat(64))
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.INTERNAL_TOKEN))
            .exchange()
            .expectStatus().isNotFound();
        http.get().uri("/internal/v1/plan-snapshots/{id}", UUID.randomUUID())
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.INTERNAL_TOKEN))
            .exchange()
            .expectStatus().isNotFound();
    }

    @Test
    void internalPlanSnapshotRepublishesTheFreePlan() {
        redis().del("rg:plan:00000000-0000-0000-0000-00000000f4ee");

        http.get().uri("/internal/v1/plan-snapshots/{id}", "00000000-0000-0000-0000-00000000f4ee")
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.INTERNAL_TOKEN))
            .exchange()
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.name").isEqualTo("free")
            .jsonPath("$.computeUnitsPerSecond").isEqualTo(330);

        assertThat(redis().get("rg:plan:00000000-0000-0000-0000-00000000f4ee"))
            .contains("\"free\"");
    }

    private void expectUnauthorized(String token) {
        http.get().uri("/v1/organizations/{org}/keys", UUID.randomUUID())
            .header(HttpHeaders.AUTHORIZATION, bearer(token))
            .exchange()
            .expectStatus().isUnauthorized()
            .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .expectBody()
            .jsonPath("$.status").isEqualTo(401);
    }
}
