package dev.relaygate.gateway.auth;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
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

    @ParameterizedTest
    @MethodSource("validVectors")
    void refusesTheKeyWithAnyOneChecksumCharacterChanged(JsonNode vector) {
        String key = vector.get("key").asString();
        for (int i = ApiKeyFormat.LENGTH - ApiKeyFormat.CHECKSUM_LENGTH; i < ApiKeyFormat.LENGTH; i++) {
            char changed = key.charAt(i) == 'a' ? 'b' : 'a';
            String typo = key.substring(0, i) + changed + key.substring(i + 1);

            assertThat(ApiKeyFormat.isWellFormed(typo)).as("checksum character %d changed", i).isFalse();
        }
    }

    @Test
    void comparesHashesWhereverTheyDiffer() {
        String hash = ApiKeyFormat.sha256Hex("rgk_any");

        assertThat(ApiKeyFormat.sameHash(hash, new String(hash.toCharArray()))).isTrue();
        assertThat(ApiKeyFormat.sameHash(hash, (hash.charAt(0) == '0' ? "1" : "0") + hash.substring(1))).isFalse();
        assertThat(ApiKeyFormat.sameHash(hash, hash.substring(0, 63) + (hash.charAt(63) == '0' ? '1' : '0'))).isFalse();
        assertThat(ApiKeyFormat.sameHash(hash, hash.substring(1))).isFalse();
    }
}
