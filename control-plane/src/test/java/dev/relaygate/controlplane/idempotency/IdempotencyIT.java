package dev.relaygate.controlplane.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.reactive.function.client.WebClient;

import dev.relaygate.controlplane.testsupport.IntegrationTest;
import dev.relaygate.controlplane.testsupport.Tokens;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@code Idempotency-Key} on creates. */
class IdempotencyIT extends IntegrationTest {

    @SuppressWarnings("unchecked")
    private Map<String, Object> createKey(String owner, UUID org, String idempotencyKey, String name, int status) {
        return http.post().uri("/v1/organizations/{org}/keys", org)
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(owner)))
            .header("Idempotency-Key", idempotencyKey)
            .bodyValue(Map.of("name", name))
            .exchange()
            .expectStatus().isEqualTo(status)
            .expectBody(Map.class).returnResult().getResponseBody();
    }

    private int keyCount(String owner, UUID org) {
        return ((List<?>) ok(owner, HttpMethod.GET, "/v1/organizations/" + org + "/keys",
                null, 200).get("items")).size();
    }

    @Test
    void theSameKeyAndBodyReplayTheFirstAnswerSecretIncluded() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);

        Map<String, Object> first = createKey(owner, org, "create-1", "k", 201);
        Map<String, Object> second = createKey(owner, org, "create-1", "k", 201);

        assertThat(second).isEqualTo(first);
        assertThat(second.get("secret")).isNotNull();
        assertThat(keyCount(owner, org)).isEqualTo(1);
    }

    @Test
    void theSameKeyWithAnotherBodyIsUnprocessable() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        createKey(owner, org, "create-2", "k", 201);

        Map<String, Object> problem = createKey(owner, org, "create-2", "other name", 422);

        assertThat(problem).containsEntry("status", 422);
        assertThat(keyCount(owner, org)).isEqualTo(1);
    }

    @Test
    void keysOfDifferentUsersDoNotCollide() {
        String owner = uniqueSubject("owner");
        String other = uniqueSubject("other");
        UUID org = createOrganization(owner);
        UUID otherOrg = createOrganization(other);

        Map<String, Object> mine = createKey(owner, org, "shared-key", "k", 201);
        Map<String, Object> theirs = createKey(other, otherOrg, "shared-key", "k", 201);

        assertThat(theirs.get("id")).isNotEqualTo(mine.get("id"));
    }

    @Test
    void recordsExpireAfterTheRetentionPeriod() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        Map<String, Object> first = createKey(owner, org, "create-3", "k", 201);

        clock.advance(Duration.ofHours(25));
        Map<String, Object> later = createKey(owner, org, "create-3", "another", 201);

        assertThat(later.get("id")).isNotEqualTo(first.get("id"));
    }

    @Test
    void simultaneousCreatesWithOneKeyYieldOneKey() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        WebClient client = WebClient.builder().baseUrl("http://127.0.0.1:" + port).build();
        String token = Tokens.user(owner);

        List<Answer> answers = Flux.range(0, 16)
            .flatMap(i -> client.post().uri("/v1/organizations/{org}/keys", org)
                .header(HttpHeaders.AUTHORIZATION, bearer(token))
                .header("Idempotency-Key", "race")
                .bodyValue(Map.of("name", "raced"))
                .exchangeToMono(response -> response.bodyToMono(Map.class)
                    .map(body -> new Answer(response.statusCode(), (String) body.get("id")))), 16)
            .collectList()
            .block(Duration.ofSeconds(30));

        assertThat(answers).hasSize(16).allSatisfy(a -> assertThat(a.status().value()).isEqualTo(201));
        assertThat(answers.stream().map(Answer::id).distinct()).hasSize(1);
        assertThat(keyCount(owner, org)).isEqualTo(1);
    }

    @Test
    void organizationCreationHonoursTheKeyToo() {
        String owner = uniqueSubject("owner");
        Mono<Object> create = Mono.fromCallable(() -> http.post().uri("/v1/organizations")
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(owner)))
            .header("Idempotency-Key", "org-1")
            .bodyValue(Map.of("name", "once"))
            .exchange()
            .expectStatus().isCreated()
            .expectBody(Map.class).returnResult().getResponseBody().get("id"));

        assertThat(create.block()).isEqualTo(create.block());
        assertThat((List<?>) ok(owner, HttpMethod.GET, "/v1/organizations", null, 200)
            .get("items")).hasSize(1);
    }

    @Test
    void aMalformedKeyIsABadRequest() {
        http.post().uri("/v1/organizations")
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(uniqueSubject("u"))))
            .header("Idempotency-Key", "x".repeat(300))
            .bodyValue(Map.of("name", "n"))
            .exchange()
            .expectStatus().isBadRequest();
    }

    private record Answer(HttpStatusCode status, String id) {
    }
}
