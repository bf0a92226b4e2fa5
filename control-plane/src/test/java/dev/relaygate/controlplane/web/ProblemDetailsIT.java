package dev.relaygate.controlplane.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

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

    private static void assertNoInternals(String body) {
        assertThat(body).contains("\"status\"").doesNotContain("Exception").doesNotContain("\tat ")
            .doesNotContain("trace").doesNotContain("jackson");
    }
}
