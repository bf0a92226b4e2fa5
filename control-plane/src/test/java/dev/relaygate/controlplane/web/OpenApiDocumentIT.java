package dev.relaygate.controlplane.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import dev.relaygate.controlplane.testsupport.IntegrationTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAPI document served by the application is the one committed in docs/openapi/control-plane.json.
 * After an intended API change, regenerate it with {@code -Dopenapi.write=true} and commit the result.
 */
class OpenApiDocumentIT extends IntegrationTest {

    private static final Path COMMITTED = Path.of("..", "docs", "openapi", "control-plane.json");

    private static final JsonMapper JSON = JsonMapper.builder()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .build();

    @Test
    void servedDocumentMatchesTheCommittedOne() throws Exception {
        String served = http.get().uri("/v3/api-docs")
            .exchange()
            .expectStatus().isOk()
            .expectBody(String.class).returnResult().getResponseBody();
        JsonNode servedTree = JSON.readTree(served);
        if (Boolean.getBoolean("openapi.write")) {
            Files.writeString(COMMITTED, JSON.writeValueAsString(JSON.treeToValue(servedTree, Object.class)) + "\n");
        }

        JsonNode committed = JSON.readTree(Files.readString(COMMITTED));

        assertThat(servedTree.get("openapi").asString()).startsWith("3.");
        assertThat(servedTree).as("served OpenAPI document differs from %s; regenerate with -Dopenapi.write=true",
                COMMITTED).isEqualTo(committed);
    }

    @Test
    void swaggerUiIsServed() {
        http.get().uri("/swagger-ui.html").exchange().expectStatus().is3xxRedirection();
    }
}
