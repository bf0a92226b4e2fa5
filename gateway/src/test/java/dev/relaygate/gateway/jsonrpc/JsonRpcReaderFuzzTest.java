package dev.relaygate.gateway.jsonrpc;

import java.nio.charset.StandardCharsets;
import java.util.List;

import com.code_intelligence.jazzer.junit.FuzzTest;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Feeds arbitrary bytes to the reader and checks what must hold for every body: it never throws; whatever it
 * reads lies within the body, in order, and is JSON; every id it would echo and every error or batch the gateway
 * would build from it is JSON. In the normal build Jazzer runs this in regression mode over the committed corpus
 * ({@code src/test/resources/.../JsonRpcReaderFuzzTestInputs/}); {@code JAZZER_FUZZ=1} fuzzes for real.
 */
class JsonRpcReaderFuzzTest {

    private static final int MAX_DEPTH = 16;

    private static final int MAX_BATCH = 8;

    private static final JsonRpcReader READER = new JsonRpcReader(MAX_DEPTH, MAX_BATCH);

    /** A strict second opinion: Jackson's tree parser, nothing allowed after the value. */
    private static final JsonMapper JSON = JsonMapper.builder()
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();

    @FuzzTest(maxDuration = "2m")
    void readsAnyBodyWithoutBreakingItsInvariants(byte[] body) {
        JsonRpcReader.Result result = READER.read(body);

        switch (result) {
            case JsonRpcReader.Rejected rejected -> {
                assertThat(rejected.code()).isNotNull();
                assertThat(rejected.detail()).isNotBlank();
                assertJson(JsonRpcErrors.error(rejected.code(), JsonRpcId.NULL, rejected.detail()));
            }
            case JsonRpcReader.Read read -> assertReadable(body, read.envelope());
        }
    }

    private static void assertReadable(byte[] body, JsonRpcEnvelope envelope) {
        List<JsonRpcCall> calls = envelope.calls();
        assertThat(calls).isNotEmpty().hasSizeLessThanOrEqualTo(MAX_BATCH);
        if (!envelope.batch()) {
            assertThat(calls).hasSize(1);
        }
        // What the reader accepts, a strict parser accepts too; the body is forwarded as it is.
        assertThat(JSON.readTree(body).isContainer()).isTrue();
        int previousEnd = 0;
        for (JsonRpcCall call : calls) {
            assertThat(call.start()).isGreaterThanOrEqualTo(previousEnd);
            assertThat(call.end()).isGreaterThan(call.start()).isLessThanOrEqualTo(body.length);
            previousEnd = call.end();
            assertThat(JSON.readTree(java.util.Arrays.copyOfRange(body, call.start(), call.end()))).isNotNull();
            JsonNode id = JSON.readTree(call.id().json());
            assertThat(id.isString() || id.isNumber() || id.isNull()).as("id %s", call.id()).isTrue();
            if (call.valid()) {
                assertThat(call.method()).isNotEmpty();
            }
            else {
                assertThat(call.invalid()).isNotBlank();
                assertThat(call.notification()).isFalse();
            }
            assertJson(JsonRpcErrors.error(JsonRpcErrorCode.INVALID_REQUEST, call.id(), call.invalid()));
        }
        if (envelope.batch()) {
            assertSplicedBatchIsJson(body, envelope);
        }
    }

    /** The relay's path for a batch answered in part by the gateway: what goes out and what comes back. */
    private static void assertSplicedBatchIsJson(byte[] body, JsonRpcEnvelope envelope) {
        List<JsonRpcRefusal> refusals = JsonRpcBatches.invalid(envelope);
        List<JsonRpcCall> relayed = JsonRpcBatches.relayed(envelope, refusals);
        assertThat(relayed.size() + refusals.size()).isEqualTo(envelope.calls().size());

        JsonNode outgoing = JSON.readTree(JsonRpcBatches.body(body, relayed));
        assertThat(outgoing.size()).isEqualTo(relayed.size());

        byte[] errors = JsonRpcErrors.errors(refusals);
        long answered = refusals.stream().filter(refusal -> !refusal.call().notification()).count();
        assertThat(JSON.readTree(errors).size()).isEqualTo((int) answered);
        byte[] upstream = ("[" + "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}," .repeat(relayed.size())
                + "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":null}]").getBytes(StandardCharsets.UTF_8);
        byte[] spliced = JsonRpcBatches.splice(upstream, errors);
        assertThat(JSON.readTree(spliced).size()).isEqualTo(relayed.size() + 1 + (int) answered);
        assertThat(JSON.readTree(JsonRpcBatches.splice(" [ ] ".getBytes(StandardCharsets.US_ASCII), errors)).size())
            .isEqualTo((int) answered);
        assertJson(JsonRpcBatches.splice(new byte[0], errors));
        JsonNode afterUpstreamObject = JSON.readTree(JsonRpcBatches.splice(
                "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32000,\"message\":\"busy\"}}"
                    .getBytes(StandardCharsets.UTF_8), errors));
        assertThat(afterUpstreamObject.isArray() ? afterUpstreamObject.size() : 1).isEqualTo(1 + (int) answered);
    }

    private static void assertJson(byte[] bytes) {
        assertThat(JsonRpcEncoding.problem(bytes)).as("encoding of %s", new String(bytes, StandardCharsets.UTF_8))
            .isNull();
        assertThat(JSON.readTree(bytes).isContainer()).isTrue();
    }
}
