package dev.relaygate.controlplane.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

import dev.relaygate.controlplane.testsupport.IntegrationTest;
import dev.relaygate.controlplane.testsupport.Tokens;

/** Every error answer is RFC 9457 problem+json, and none carries a stack trace or an exception name. */
class ProblemDetailsIT extends IntegrationTest {

    @Test
    void malformedJsonIsABadRequestProblem() {
        String body = http.post().uri("/v1/organizations")
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(uniqueSubject("u"))))
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"name\": ")
            .exchange()
            .expectStatus().isBadRequest()
            .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .expectBody(String.class).returnResult().getResponseBody();

        assertNoInternals(body);
    }

    @Test
    void validationFailuresListTheInvalidFields() {
        http.post().uri("/v1/organizations")
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(uniqueSubject("u"))))
            .bodyValue(Map.of("name", " "))
            .exchange()
            .expectStatus().isBadRequest()
            .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .expectBody()
            .jsonPath("$.errors[0].field").isEqualTo("name")
            .jsonPath("$.errors[0].message").isNotEmpty();
    }

    @Test
    void unknownPathIsANotFoundProblem() {
        String body = http.get().uri("/no/such/path")
            .exchange()
            .expectStatus().isNotFound()
            .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .expectBody(String.class).returnResult().getResponseBody();

        assertNoInternals(body);
    }

    @Test
    void wrongMethodIsAMethodNotAllowedProblem() {
        String body = http.delete().uri("/v1/organizations")
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(uniqueSubject("u"))))
            .exchange()
            .expectStatus().isEqualTo(405)
            .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .expectBody(String.class).returnResult().getResponseBody();

        assertNoInternals(body);
    }

    @Test
    void malformedPathIdIsABadRequestProblem() {
        String body = http.get().uri("/v1/organizations/not-a-uuid/keys")
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(uniqueSubject("u"))))
            .exchange()
            .expectStatus().isBadRequest()
            .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .expectBody(String.class).returnResult().getResponseBody();

        assertNoInternals(body);
    }

    @Test
    void aNulCharacterInATextIsABadRequestNamingTheField() {
        String body = http.post().uri("/v1/organizations")
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(uniqueSubject("u"))))
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"name\":\"a\\u0000b\"}")
            .exchange()
            .expectStatus().isBadRequest()
            .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .expectBody(String.class).returnResult().getResponseBody();

        assertThat(body).contains("\"field\":\"name\"").contains("NUL");
        assertNoInternals(body);
    }

    @Test
    void anUnpairedSurrogateInANestedListIsABadRequestNamingItsPath() {
        String owner = uniqueSubject("owner");
        UUID own = createOrganization(owner);

        http.post().uri("/v1/organizations/{org}/keys", own)
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(owner)))
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"name\":\"k\",\"policy\":{\"allowedOrigins\":[\"https://a.example\",\"\\ud800\"]}}")
            .exchange()
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.errors[0].field").isEqualTo("policy.allowedOrigins[1]");
    }

    @Test
    void aWordWhereANumberBelongsNamesTheFieldAndTheType() {
        String body = http.post().uri("/v1/plans")
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.admin(uniqueSubject("admin"))))
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"computeUnitsPerSecond\":\"abc\"}")
            .exchange()
            .expectStatus().isBadRequest()
            .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .expectBody(String.class).returnResult().getResponseBody();

        assertThat(body).contains("\"field\":\"computeUnitsPerSecond\"").contains("must be a whole number")
            .doesNotContain("Failed to read HTTP message");
        assertNoInternals(body);
    }

    @Test
    void aNumberOutOfRangeNamesTheField() {
        http.post().uri("/v1/plans")
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.admin(uniqueSubject("admin"))))
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"maxBatchSize\":99999999999999999999}")
            .exchange()
            .expectStatus().isBadRequest()
            .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .expectBody()
            .jsonPath("$.errors[0].field").isEqualTo("maxBatchSize")
            .jsonPath("$.errors[0].message").value(message -> assertThat((String) message).contains("out of range"));
    }

    @Test
    void anUnknownRoleNamesTheFieldAndTheAllowedRoles() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);

        http.post().uri("/v1/organizations/{org}/members", org)
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(owner)))
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"subject\":\"someone\",\"role\":\"nonsense\"}")
            .exchange()
            .expectStatus().isBadRequest()
            .expectBody()
            .jsonPath("$.errors[0].field").isEqualTo("role")
            .jsonPath("$.errors[0].message").isEqualTo("must be one of owner, admin, developer, billing, viewer");
    }

    @Test
    void anExpiryBeyondWhatPostgresStoresIsABadRequestNamingTheField() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);

        http.post().uri("/v1/organizations/{org}/keys", org)
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(owner)))
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"name\":\"k\",\"expiresAt\":\"+1000000000-01-01T00:00:00Z\"}")
            .exchange()
            .expectStatus().isBadRequest()
            .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .expectBody()
            .jsonPath("$.errors[0].field").isEqualTo("expiresAt")
            .jsonPath("$.errors[0].message").isEqualTo("must be at most 9999-12-31T23:59:59Z");
    }

    private static void assertNoInternals(String body) {
        assertThat(body).contains("\"status\"").doesNotContain("Exception").doesNotContain("\tat ")
            .doesNotContain("trace").doesNotContain("jackson");
    }
}
