package dev.relaygate.controlplane.key;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The key format against the shared test vectors in docs/contracts/key-format.json. */
class ApiKeyFormatTest {

    private static final Path VECTORS = Path.of("..", "docs", "contracts", "key-format.json");

    static JsonNode vectors() throws Exception {
        return JsonMapper.builder().build().readTree(Files.readString(VECTORS));
    }

    static Stream<JsonNode> validVectors() throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        vectors().get("valid").forEach(nodes::add);
        return nodes.stream();
    }

    static Stream<JsonNode> invalidVectors() throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        vectors().get("invalid").forEach(nodes::add);
        return nodes.stream();
    }

    @Test
    void sharesTheAlphabetAndLengthsOfTheContract() throws Exception {
        JsonNode contract = vectors();
        assertThat(ApiKeyFormat.ALPHABET).isEqualTo(contract.get("alphabet").asString());
        assertThat(ApiKeyFormat.PREFIX).isEqualTo(contract.get("prefix").asString());
        assertThat(ApiKeyFormat.RANDOM_LENGTH).isEqualTo(contract.get("randomLength").asInt());
        assertThat(ApiKeyFormat.CHECKSUM_LENGTH).isEqualTo(contract.get("checksumLength").asInt());
    }

    @ParameterizedTest
    @MethodSource("validVectors")
    void acceptsEveryValidVectorAndDerivesItsHashAndPrefix(JsonNode vector) {
        String key = vector.get("key").asString();

        assertThat(ApiKeyFormat.isValid(key)).isTrue();
        assertThat(ApiKeyFormat.sha256Hex(key)).isEqualTo(vector.get("sha256").asString());
        assertThat(ApiKeyFormat.displayPrefix(key)).isEqualTo(vector.get("displayPrefix").asString());
    }

    @ParameterizedTest
    @MethodSource("invalidVectors")
    void refusesEveryInvalidVector(JsonNode vector) {
        assertThat(ApiKeyFormat.isValid(vector.get("key").asString())).as(vector.get("why").asString()).isFalse();
    }

    @Test
    void refusesNull() {
        assertThat(ApiKeyFormat.isValid(null)).isFalse();
    }

    @Test
    void generatedKeysAreValidAndDistinct() {
        SecureRandom random = new SecureRandom();
        List<String> keys = Stream.generate(() -> ApiKeyFormat.generate(random)).limit(1000).toList();

        assertThat(keys).allSatisfy(key -> {
            assertThat(key).hasSize(ApiKeyFormat.LENGTH).startsWith("rgk_");
            assertThat(ApiKeyFormat.isValid(key)).isTrue();
        });
        assertThat(keys).doesNotHaveDuplicates();
    }

    @Test
    void issuedSecretKeepsOnlyHashAndPrefixBesideTheSecret() {
        IssuedSecret issued = IssuedSecret.generate(new SecureRandom());

        assertThat(issued.hash()).isEqualTo(ApiKeyFormat.sha256Hex(issued.secret())).matches("[0-9a-f]{64}");
        assertThat(issued.displayPrefix()).isEqualTo(issued.secret().substring(0, 12));
        assertThat(issued.toString()).doesNotContain(issued.secret());
    }
}
