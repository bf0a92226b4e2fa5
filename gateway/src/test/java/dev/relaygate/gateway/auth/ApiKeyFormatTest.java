package dev.relaygate.gateway.auth;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import dev.relaygate.gateway.testsupport.Snapshots;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

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
        assertThat(ApiKeyFormat.hash(key)).hasToString(vector.get("sha256").asString())
            .isEqualTo(KeyHash.parse(vector.get("sha256").asString()));
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
    void aKeyHashIsEqualOnlyWithAllItsBytesTheSame() {
        String hex = ApiKeyFormat.hash("rgk_any").toString();

        assertThat(KeyHash.parse(hex)).isEqualTo(KeyHash.parse(hex.toUpperCase()))
            .hasSameHashCodeAs(KeyHash.parse(hex));
        assertThat(KeyHash.parse(flip(hex, 0))).isNotEqualTo(KeyHash.parse(hex));
        assertThat(KeyHash.parse(flip(hex, 37))).isNotEqualTo(KeyHash.parse(hex));
        assertThat(KeyHash.parse(flip(hex, 63))).isNotEqualTo(KeyHash.parse(hex));
    }

    @Test
    void onlySixtyFourHexDigitsAreAKeyHash() {
        String hex = ApiKeyFormat.hash("rgk_any").toString();

        assertThatIllegalArgumentException().isThrownBy(() -> KeyHash.parse(hex.substring(1)));
        assertThatIllegalArgumentException().isThrownBy(() -> KeyHash.parse(hex + "0"));
        assertThatIllegalArgumentException().isThrownBy(() -> KeyHash.parse("g" + hex.substring(1)));
        assertThatIllegalArgumentException().isThrownBy(() -> KeyHash.parse(null));
    }

    private static String flip(String hex, int index) {
        return hex.substring(0, index) + (hex.charAt(index) == '0' ? '1' : '0') + hex.substring(index + 1);
    }
}
