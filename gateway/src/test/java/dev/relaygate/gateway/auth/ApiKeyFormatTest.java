package dev.relaygate.gateway.auth;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import dev.relaygate.gateway.testsupport.Snapshots;

import static org.assertj.core.api.Assertions.assertThat;

/** The key format against the shared test vectors in docs/contracts/key-format.json. */
class ApiKeyFormatTest {

    static Stream<JsonNode> validVectors() {
        return Snapshots.contract("key-format.json").get("valid").valueStream();
    }

    static Stream<JsonNode> invalidVectors() {
        return Snapshots.contract("key-format.json").get("invalid").valueStream();
    }

    @ParameterizedTest
    @MethodSource("validVectors")
    void acceptsEveryValidVectorAndHashesItAsTheControlPlaneDoes(JsonNode vector) {
        String key = vector.get("key").asString();

        assertThat(ApiKeyFormat.isWellFormed(key)).isTrue();
        assertThat(ApiKeyFormat.sha256Hex(key)).isEqualTo(vector.get("sha256").asString());
    }

    @ParameterizedTest
    @MethodSource("invalidVectors")
    void refusesEveryInvalidVector(JsonNode vector) {
        assertThat(ApiKeyFormat.isWellFormed(vector.get("key").asString())).as(vector.get("why").asString()).isFalse();
    }
}
