package dev.relaygate.controlplane.key;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

import dev.relaygate.controlplane.testsupport.IntegrationTest;
import dev.relaygate.controlplane.testsupport.Tokens;

/** The plaintext of a key never reaches Postgres: only its SHA-256 and its first 12 characters do. */
class NoPlaintextSecretIT extends IntegrationTest {

    @Test
    void noRowOfAnyTableContainsTheSecretOrItsRandomPart() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        // With an Idempotency-Key, so the stored (encrypted) answer is part of what is scanned.
        @SuppressWarnings("unchecked")
        Map<String, Object> created = http.post().uri("/v1/organizations/{org}/keys", org)
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(owner)))
            .header("Idempotency-Key", "scan-" + UUID.randomUUID())
            .bodyValue(Map.of("name", "scanned"))
            .exchange()
            .expectStatus().isCreated()
            .expectBody(Map.class).returnResult().getResponseBody();
        String secret = (String) created.get("secret");
        String randomPart = secret.substring(ApiKeyFormat.PREFIX.length(),
                ApiKeyFormat.PREFIX.length() + ApiKeyFormat.RANDOM_LENGTH);
        // A stored display prefix legitimately holds the first 8 random characters, so probe past them.
        String randomTail = randomPart.substring(8);

        List<String> tables = db.sql("select table_name from information_schema.tables "
                + "where table_schema = 'public' and table_type = 'BASE TABLE'")
            .map(row -> row.get("table_name", String.class))
            .all().collectList().block();

        assertThat(tables).contains("api_keys", "audit_log", "snapshot_outbox", "idempotency_records");
        for (String table : tables) {
            for (String probe : List.of(secret, randomPart, randomTail)) {
                // A whole row cast to text covers every column, whatever its type (text, jsonb, arrays, bytea).
                Long hits = db.sql("select count(*) as n from \"" + table + "\" t where strpos(t::text, :probe) > 0")
                    .bind("probe", probe)
                    .map(row -> row.get("n", Long.class))
                    .one().block();
                assertThat(hits).as("rows of %s containing %s", table, probe.length()).isZero();
            }
        }
        Long storedAnswers = db.sql("select count(*) as n from idempotency_records where response_body is not null")
            .map(row -> row.get("n", Long.class)).one().block();
        assertThat(storedAnswers).as("an idempotent answer was stored and scanned").isPositive();
        Long hashed = db.sql("select count(*) as n from api_keys t where strpos(t::text, :hash) > 0")
            .bind("hash", ApiKeyFormat.sha256Hex(secret))
            .map(row -> row.get("n", Long.class))
            .one().block();
        assertThat(hashed).as("the scan does see the stored hash").isEqualTo(1);
    }
}
