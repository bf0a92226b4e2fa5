package dev.relaygate.controlplane.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

import dev.relaygate.controlplane.testsupport.IntegrationTest;
import dev.relaygate.controlplane.testsupport.Tokens;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Creating, listing and revoking keys over HTTP, and what each step publishes to Redis. */
class KeyLifecycleIT extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void createsListsAndRevokesAKey() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);

        Map<String, Object> created = createKey(owner, org);
        String secret = (String) created.get("secret");
        assertThat(created).containsKeys("id", "name", "displayPrefix", "secret", "createdAt", "expiresAt",
                "revokedAt");
        assertThat(ApiKeyFormat.isValid(secret)).isTrue();
        assertThat(created.get("displayPrefix")).isEqualTo(secret.substring(0, 12));
        assertThat(created.get("revokedAt")).isNull();

        http.get().uri("/v1/organizations/{org}/keys", org)
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(owner)))
            .exchange()
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.items.length()").isEqualTo(1)
            .jsonPath("$.items[0].id").isEqualTo(created.get("id"))
            .jsonPath("$.items[0].displayPrefix").isEqualTo(secret.substring(0, 12))
            .jsonPath("$.items[0].secret").doesNotExist()
            .jsonPath("$.nextCursor").isEmpty();

        for (int attempt = 0; attempt < 2; attempt++) {
            http.post().uri("/v1/organizations/{org}/keys/{key}/revoke", org, created.get("id"))
                .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(owner)))
                .exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.id").isEqualTo(created.get("id"))
                .jsonPath("$.revokedAt").isNotEmpty()
                .jsonPath("$.secret").doesNotExist();
        }
    }

    @Test
    void createdOrganizationStartsOnTheFreePlanWithTheCallerAsOwner() {
        String owner = uniqueSubject("owner");

        http.post().uri("/v1/organizations")
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(owner)))
            .bodyValue(Map.of("name", "demo"))
            .exchange()
            .expectStatus().isCreated()
            .expectBody()
            .jsonPath("$.id").isNotEmpty()
            .jsonPath("$.name").isEqualTo("demo")
            .jsonPath("$.planId").isEqualTo("00000000-0000-0000-0000-00000000f4ee")
            .jsonPath("$.createdAt").isNotEmpty()
            .jsonPath("$.role").isEqualTo("owner");
    }

    @Test
    void writesTheKeySnapshotToRedisBeforeAnsweringTheCreate() throws Exception {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);

        Map<String, Object> created = createKey(owner, org);

        String hash = ApiKeyFormat.sha256Hex((String) created.get("secret"));
        String stored = redis().get("rg:key:" + hash);
        assertThat(stored).as("snapshot present as soon as the create answered").isNotNull();
        JsonNode snapshot = JSON.readTree(stored);
        assertThat(snapshot.get("status").asString()).isEqualTo("active");
        assertThat(snapshot.get("hash").asString()).isEqualTo(hash);
        assertThat(snapshot.get("keyId").asString()).isEqualTo(created.get("id"));
        assertThat(snapshot.get("organizationId").asString()).isEqualTo(org.toString());
        assertThat(snapshot.get("planId").asString()).isEqualTo("00000000-0000-0000-0000-00000000f4ee");
        assertThat(snapshot.get("schema").asInt()).isEqualTo(1);
    }

    @Test
    void keySnapshotHasExactlyTheFieldsOfTheContract() throws Exception {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        Map<String, Object> created = createKey(owner, org);

        JsonNode written = JSON.readTree(redis().get("rg:key:" + ApiKeyFormat.sha256Hex((String) created.get("secret"))));
        JsonNode contract = JSON.readTree(Files.readString(Path.of("..", "docs", "contracts", "key-snapshot.json")));

        assertThat(fieldPaths(written, "")).isEqualTo(fieldPaths(contract, ""));
    }

    @Test
    void planSnapshotOfTheFreePlanIsPublishedAtStartUpWithTheFieldsOfTheContract() throws Exception {
        JsonNode contract = JSON.readTree(Files.readString(Path.of("..", "docs", "contracts", "plan-snapshot.json")));

        String stored = redis().get("rg:plan:00000000-0000-0000-0000-00000000f4ee");

        assertThat(stored).isNotNull();
        JsonNode written = JSON.readTree(stored);
        assertThat(fieldPaths(written, "")).isEqualTo(fieldPaths(contract, ""));
        for (String field : List.of("name", "computeUnitsPerSecond", "burstComputeUnits", "computeUnitsPerMinute",
                "monthlyComputeUnits", "maxBatchSize", "maxBodyBytes", "allowedChains", "methodClasses")) {
            assertThat(written.get(field)).as(field).isEqualTo(contract.get(field));
        }
    }

    @Test
    void revokeRewritesTheSnapshotThenAnnouncesTheInvalidation() throws Exception {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        Map<String, Object> created = createKey(owner, org);
        String hash = ApiKeyFormat.sha256Hex((String) created.get("secret"));
        long createdVersion = JSON.readTree(redis().get("rg:key:" + hash)).get("version").asLong();

        List<String> messages = new CopyOnWriteArrayList<>();
        List<String> snapshotWhenAnnounced = new CopyOnWriteArrayList<>();
        StatefulRedisPubSubConnection<String, String> subscription = redisClient().connectPubSub();
        StatefulRedisConnection<String, String> reader = redisClient().connect();
        try {
            subscription.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    messages.add(message);
                    if (message.contains(hash)) {
                        // Read on another connection: the snapshot must already be the revoked one.
                        reader.async().get("rg:key:" + hash).thenAccept(snapshotWhenAnnounced::add);
                    }
                }
            });
            subscription.sync().subscribe("rg:invalidations");

            http.post().uri("/v1/organizations/{org}/keys/{key}/revoke", org, created.get("id"))
                .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(owner)))
                .exchange()
                .expectStatus().isOk();

            assertThat(JSON.readTree(redis().get("rg:key:" + hash)).get("status").asString()).isEqualTo("revoked");
            await().atMost(Duration.ofSeconds(1)).until(() -> !snapshotWhenAnnounced.isEmpty());
            JsonNode message = messages.stream().filter(m -> m.contains(hash)).map(JSON::readTree).findFirst()
                .orElseThrow();
            assertThat(message.get("schema").asInt()).isEqualTo(1);
            assertThat(message.get("kind").asString()).isEqualTo("key");
            assertThat(message.get("id").asString()).isEqualTo(hash);
            assertThat(message.get("version").asLong()).isGreaterThan(createdVersion);
            assertThat(message.get("at").asString()).isNotBlank();
            assertThat(JSON.readTree(snapshotWhenAnnounced.get(0)).get("status").asString()).isEqualTo("revoked");
        }
        finally {
            subscription.close();
            reader.close();
        }
    }

    static Set<String> fieldPaths(JsonNode node, String prefix) {
        Set<String> paths = new HashSet<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String path = prefix + field.getKey();
            paths.add(path);
            if (field.getValue().isObject()) {
                paths.addAll(fieldPaths(field.getValue(), path + "."));
            }
        }
        return paths;
    }
}
