package dev.relaygate.controlplane.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

import dev.relaygate.controlplane.testsupport.IntegrationTest;
import dev.relaygate.controlplane.testsupport.Tokens;

/** Every mutation leaves an audit entry with actor, target, before/after and request id. */
@SuppressWarnings("unchecked")
class AuditLogIT extends IntegrationTest {

    @Test
    void recordsKeyMutationsWithBeforeAfterAndRequestId() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        Map<String, Object> key = createKey(owner, org);
        http.post().uri("/v1/organizations/{org}/keys/{key}/revoke", org, key.get("id"))
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(owner)))
            .header("X-Request-Id", "req-revoke-42")
            .exchange()
            .expectStatus().isOk();

        Map<String, Object> page = ok(owner, HttpMethod.GET,
                "/v1/organizations/" + org + "/audit-log?targetId=" + key.get("id"), null, 200);

        List<Map<String, Object>> items = (List<Map<String, Object>>) page.get("items");
        assertThat(items).extracting(i -> i.get("action")).containsExactly("key.revoke", "key.create");
        Map<String, Object> revoke = items.get(0);
        assertThat(revoke).containsEntry("actor", owner).containsEntry("targetType", "api_key")
            .containsEntry("requestId", "req-revoke-42");
        assertThat((Map<String, Object>) revoke.get("before")).containsEntry("revokedAt", null);
        assertThat(((Map<String, Object>) revoke.get("after")).get("revokedAt")).isNotNull();
        assertThat(items.get(1).get("before")).isNull();
        assertThat(items.toString()).doesNotContain((String) key.get("secret"));
    }

    @Test
    void pagesAndFiltersByAction() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        for (int i = 0; i < 3; i++) {
            createKey(owner, org);
        }

        Map<String, Object> first = ok(owner, HttpMethod.GET,
                "/v1/organizations/" + org + "/audit-log?action=key.create&limit=2", null, 200);
        Map<String, Object> second = ok(owner, HttpMethod.GET,
                "/v1/organizations/" + org + "/audit-log?action=key.create&limit=2&cursor=" + first.get("nextCursor"),
                null, 200);

        assertThat((List<?>) first.get("items")).hasSize(2);
        assertThat((List<?>) second.get("items")).hasSize(1);
        assertThat(second.get("nextCursor")).isNull();
    }
}
