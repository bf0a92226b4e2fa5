package dev.relaygate.gateway.jsonrpc;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** What the reader makes of a request body: a specification of the shapes, ids, offsets and limits it knows. */
class JsonRpcReaderTest {

    private static final int MAX_DEPTH = 16;

    private static final int MAX_BATCH = 5;

    private final JsonRpcReader reader = new JsonRpcReader(MAX_DEPTH, MAX_BATCH);

    @Nested
    class Shapes {

        @Test
        void readsASingleCall() {
            JsonRpcEnvelope envelope = read("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}");

            assertThat(envelope.batch()).isFalse();
            assertThat(envelope.calls()).singleElement().satisfies(call -> {
                assertThat(call.method()).isEqualTo("eth_blockNumber");
                assertThat(call.id()).hasToString("1");
                assertThat(call.notification()).isFalse();
                assertThat(call.valid()).isTrue();
            });
        }

        @Test
        void readsABatchInTheOrderSent() {
            JsonRpcEnvelope envelope = read("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\"},"
                    + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"b\",\"params\":{\"x\":[1,{}]}}]");

            assertThat(envelope.batch()).isTrue();
            assertThat(envelope.calls()).extracting(JsonRpcCall::method).containsExactly("a", "b");
            assertThat(envelope.calls()).allMatch(JsonRpcCall::valid);
        }

        @Test
        void aCallWithoutIdIsANotification() {
            JsonRpcCall call = single("{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscribe\",\"params\":[]}");

            assertThat(call.notification()).isTrue();
            assertThat(call.valid()).isTrue();
            assertThat(call.id()).isEqualTo(JsonRpcId.NULL);
        }

        @Test
        void aCallWithNullIdIsNotANotification() {
            JsonRpcCall call = single("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"m\"}");

            assertThat(call.notification()).isFalse();
            assertThat(call.id()).isEqualTo(JsonRpcId.NULL);
        }

        @Test
        void anInvalidCallWithoutIdIsStillAnswered() {
            JsonRpcCall call = single("{\"jsonrpc\":\"2.0\",\"method\":1}");

            assertThat(call.valid()).isFalse();
            assertThat(call.notification()).isFalse();
        }

        @Test
        void membersMayComeInAnyOrderAndUnknownOnesAreSkipped() {
            JsonRpcCall call = single("{\"params\":[1,[2,{\"id\":9}]],\"x\":{\"method\":3},\"method\":\"m\","
                    + "\"id\":\"a\",\"jsonrpc\":\"2.0\"}");

            assertThat(call.valid()).isTrue();
            assertThat(call.method()).isEqualTo("m");
            assertThat(call.id()).hasToString("\"a\"");
        }

        @Test
        void batchElementsThatAreNotObjectsAreInvalidCalls() {
            JsonRpcEnvelope envelope = read("[1,\"x\",[],null]");

            assertThat(envelope.calls()).hasSize(4).allSatisfy(call -> {
                assertThat(call.valid()).isFalse();
                assertThat(call.notification()).isFalse();
                assertThat(call.id()).isEqualTo(JsonRpcId.NULL);
            });
        }

        @Test
        void anEmptyBatchIsAnInvalidRequest() {
            assertRejected("[]", JsonRpcErrorCode.INVALID_REQUEST);
            assertRejected(" [ ] ", JsonRpcErrorCode.INVALID_REQUEST);
        }

        @ParameterizedTest
        @ValueSource(strings = {"1", "\"text\"", "true", "null", "-0.5e3"})
        void aTopLevelScalarIsAnInvalidRequest(String body) {
            assertRejected(body, JsonRpcErrorCode.INVALID_REQUEST);
        }

        @ParameterizedTest
        @ValueSource(strings = {"", " ", "\r\n\t "})
        void anEmptyBodyIsAParseError(String body) {
            assertRejected(body, JsonRpcErrorCode.PARSE_ERROR);
        }
    }

    @Nested
    class Ids {

        @ParameterizedTest
        @ValueSource(strings = {"1", "0", "-7", "1.5", "-0.0", "1e3", "1.0E+2",
            "123456789012345678901234567890123456789012345678901234567890",
            "\"abc\"", "\"\"", "\"a\\\"b\\\\c\"", "\"\\u00e9\\u20ac\"", "\"é€😀\"", "\"\\ud83d\\ude00\"",
            "\"\\n\\t\\/\"", "\"\\ud800\"", "null"})
        void echoesTheIdExactlyAsSent(String id) {
            JsonRpcCall call = single("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"m\"}");

            assertThat(call.valid()).isTrue();
            assertThat(call.id().json()).isEqualTo(id.getBytes(StandardCharsets.UTF_8));
        }

        @ParameterizedTest
        @ValueSource(strings = {"true", "false", "{}", "[]", "[1]", "{\"a\":1}"})
        void anIdThatIsNotAStringNumberOrNullMakesTheCallInvalid(String id) {
            JsonRpcCall call = single("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"m\"}");

            assertThat(call.valid()).isFalse();
            assertThat(call.id()).isEqualTo(JsonRpcId.NULL);
        }

        @Test
        void aHugeStringIdMakesTheCallInvalidAndIsNotEchoed() {
            String id = "\"" + "x".repeat(JsonRpcReader.MAX_ID_LENGTH) + "\"";

            JsonRpcCall call = single("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"m\"}");

            assertThat(call.valid()).isFalse();
            assertThat(call.id()).isEqualTo(JsonRpcId.NULL);
        }

        @Test
        void aHugeNumericIdMakesTheCallInvalidAndIsNotEchoed() {
            String id = "9".repeat(JsonRpcReader.MAX_ID_LENGTH + 1);

            JsonRpcCall call = single("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"m\"}");

            assertThat(call.valid()).isFalse();
            assertThat(call.id()).isEqualTo(JsonRpcId.NULL);
        }

        @Test
        void anIdOfTheLongestAcceptedLengthIsEchoed() {
            String id = "\"" + "x".repeat(JsonRpcReader.MAX_ID_LENGTH - 2) + "\"";

            JsonRpcCall call = single("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"m\"}");

            assertThat(call.valid()).isTrue();
            assertThat(call.id()).hasToString(id);
        }

        @Test
        void anInvalidCallStillEchoesItsId() {
            JsonRpcCall call = single("{\"jsonrpc\":\"1.0\",\"id\":\"k\",\"method\":\"m\"}");

            assertThat(call.valid()).isFalse();
            assertThat(call.id()).hasToString("\"k\"");
        }
    }

    @Nested
    class Offsets {

        @Test
        void locatesEachCallOfABatch() {
            String first = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\"}";
            String second = "{\"jsonrpc\":\"2.0\",\"id\":\"é\",\"method\":\"b\",\"params\":[\"€\"]}";
            String third = "7";
            String body = " [ " + first + " ,\n" + second + "," + third + "]";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);

            List<JsonRpcCall> calls = read(bytes).calls();

            assertThat(slice(bytes, calls.get(0))).isEqualTo(first);
            assertThat(slice(bytes, calls.get(1))).isEqualTo(second);
            assertThat(slice(bytes, calls.get(2))).isEqualTo(third);
        }

        @Test
        void locatesElementsOfABatchThatAreNotObjects() {
            byte[] bytes = utf8("[\"a\\\"b\", 12.5 ,[1,[\"]\"]],null,\"\"]");

            List<JsonRpcCall> calls = read(bytes).calls();

            assertThat(calls).extracting(call -> slice(bytes, call))
                .containsExactly("\"a\\\"b\"", "12.5", "[1,[\"]\"]]", "null", "\"\"");
        }

        @Test
        void locatesASingleCall() {
            String call = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\"}";
            byte[] bytes = ("\n " + call + " \n").getBytes(StandardCharsets.UTF_8);

            assertThat(slice(bytes, read(bytes).calls().get(0))).isEqualTo(call);
        }

        @Test
        void rebuildsABatchOfSomeCallsFromTheOriginalBytes() {
            byte[] bytes = ("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\"},{\"id\":2},"
                    + "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"c\",\"params\":[\"\\u0041\"]}]")
                .getBytes(StandardCharsets.UTF_8);
            JsonRpcEnvelope envelope = read(bytes);

            byte[] relayed = JsonRpcBatches.body(bytes,
                    JsonRpcBatches.relayed(envelope, JsonRpcBatches.invalid(envelope)));

            assertThat(new String(relayed, StandardCharsets.UTF_8)).isEqualTo(
                    "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\"},"
                    + "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"c\",\"params\":[\"\\u0041\"]}]");
        }
    }

    @Nested
    class InvalidCalls {

        @ParameterizedTest
        @ValueSource(strings = {
            "{\"id\":1,\"method\":\"m\"}",
            "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"m\"}",
            "{\"jsonrpc\":2.0,\"id\":1,\"method\":\"m\"}",
            "{\"jsonrpc\":null,\"id\":1,\"method\":\"m\"}",
            "{\"jsonrpc\":[\"2.0\"],\"id\":1,\"method\":\"m\"}",
            "{\"jsonrpc\":\"2.0 \",\"id\":1,\"method\":\"m\"}"})
        void aCallWithoutJsonrpc20IsInvalid(String body) {
            assertInvalidWithIdOne(body);
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "{\"jsonrpc\":\"2.0\",\"id\":1}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":1}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":null}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":[\"m\"]}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":{\"m\":1}}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":true}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\"}"})
        void aCallWithoutAMethodNameIsInvalid(String body) {
            assertInvalidWithIdOne(body);
        }

        @Test
        void aMethodNameLongerThanTheLimitIsInvalid() {
            assertInvalidWithIdOne("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\""
                    + "m".repeat(JsonRpcReader.MAX_METHOD_LENGTH + 1) + "\"}");
        }

        @ParameterizedTest
        @ValueSource(strings = {"1", "\"a\"", "true", "null"})
        void scalarParamsAreInvalid(String params) {
            assertInvalidWithIdOne("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":" + params + "}");
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":1,\"method\":\"m\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"method\":\"n\"}",
            "{\"jsonrpc\":\"2.0\",\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":[],\"params\":[]}"})
        void duplicateMembersMakeTheCallInvalid(String body) {
            JsonRpcCall call = single(body);

            assertThat(call.valid()).isFalse();
            assertThat(call.invalid()).startsWith("duplicate member");
        }

        @ParameterizedTest
        @ValueSource(strings = {"METHOD", "Method", "mEthod", "ID", "Id", "\u0131d", "\u0130d", "PARAMS", "param\u017f",
            "JSONRPC", "j\u017fonrpc", "Jsonrpc"})
        void aMemberNamedLikeACallMemberButForCaseMakesTheCallInvalid(String name) {
            JsonRpcCall call = single("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"" + name + "\":\"x\"}");

            assertThat(call.valid()).isFalse();
            assertThat(call.id()).hasToString("1");
        }

        @Test
        void aSecondMethodSpelledInCapitalsCannotBeSmuggledPastThePolicy() {
            JsonRpcCall call = single("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\","
                    + "\"METHOD\":\"debug_traceTransaction\",\"params\":[]}");

            assertThat(call.valid()).isFalse();
            assertThat(call.invalid()).contains("case-sensitive");
        }

        @ParameterizedTest
        @ValueSource(strings = {"methods", "ids", "i", "idd", "\u0131", "param", "paramss", "jsonrpc2", "result", "error"})
        void otherMemberNamesAreAllowed(String name) {
            assertThat(single("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"" + name + "\":1}").valid()).isTrue();
        }

        private void assertInvalidWithIdOne(String body) {
            JsonRpcCall call = single(body);

            assertThat(call.valid()).as(body).isFalse();
            assertThat(call.invalid()).isNotBlank();
            assertThat(call.id()).hasToString("1");
        }
    }

    @Nested
    class WholeRequestRejections {

        @ParameterizedTest
        @ValueSource(strings = {"{", "[", "{\"jsonrpc\":", "{\"a\" 1}", "{'a':1}", "[1,]", "{\"a\":1,}",
            "{\"a\":01}", "{\"a\":NaN}", "{\"a\":+1}", "{/*c*/}", "{\"a\":\"\t\"}", "{\"a\":\"\\x\"}", "nul"})
        void malformedJsonIsAParseError(String body) {
            assertRejected(body, JsonRpcErrorCode.PARSE_ERROR);
        }

        @ParameterizedTest
        @ValueSource(strings = {"{} x", "{}{}", "[{}] []", "1 2", "{}]", "[] x"})
        void contentAfterTheValueIsAParseError(String body) {
            assertRejected(body, JsonRpcErrorCode.PARSE_ERROR);
        }

        @Test
        void nestingDeeperThanTheLimitIsALimitError() {
            String params = "[".repeat(MAX_DEPTH) + "]".repeat(MAX_DEPTH);

            assertRejected("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":" + params + "}",
                    JsonRpcErrorCode.LIMIT_EXCEEDED);
        }

        @Test
        void nestingUpToTheLimitIsRead() {
            String params = "[".repeat(MAX_DEPTH - 1) + "]".repeat(MAX_DEPTH - 1);

            assertThat(single("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":" + params + "}").valid())
                .isTrue();
        }

        @Test
        void unclosedDeepNestingIsALimitErrorNotAStackOverflow() {
            assertRejected("[".repeat(100_000), JsonRpcErrorCode.LIMIT_EXCEEDED);
        }

        @Test
        void aBatchLargerThanTheLimitIsALimitError() {
            assertRejected(batchOf(MAX_BATCH + 1), JsonRpcErrorCode.LIMIT_EXCEEDED);
        }

        @Test
        void aBatchOfTheLimitIsRead() {
            assertThat(read(batchOf(MAX_BATCH)).calls()).hasSize(MAX_BATCH);
        }

        @Test
        void aPlanMayLowerTheBatchLimitButNotRaiseIt() {
            assertThat(reader.read(utf8(batchOf(3)), 2)).isInstanceOf(JsonRpcReader.Rejected.class);
            assertThat(reader.read(utf8(batchOf(MAX_BATCH + 1)), MAX_BATCH * 2))
                .isInstanceOf(JsonRpcReader.Rejected.class);
        }

        @Test
        void anOversizeBatchFollowedByGarbageIsAParseError() {
            assertRejected(batchOf(MAX_BATCH + 1) + "x", JsonRpcErrorCode.PARSE_ERROR);
        }

        @Test
        void aNumberLongerThanJacksonAcceptsIsALimitError() {
            assertRejected("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":[" + "1".repeat(1001) + "]}",
                    JsonRpcErrorCode.LIMIT_EXCEEDED);
        }
    }

    @Nested
    class Encoding {

        @Test
        void invalidUtf8InAStringIsAParseError() {
            assertRejected(withBytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"", new byte[] {(byte) 0xC3, 0x28},
                    "\"}"), JsonRpcErrorCode.PARSE_ERROR);
        }

        @Test
        void invalidUtf8InSkippedParamsIsAParseError() {
            assertRejected(withBytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":[\"",
                    new byte[] {(byte) 0xFF, (byte) 0xFE}, "\"]}"), JsonRpcErrorCode.PARSE_ERROR);
        }

        @Test
        void aTruncatedUtf8SequenceIsAParseError() {
            assertRejected(withBytes("{\"jsonrpc\":\"2.0\",\"id\":\"", new byte[] {(byte) 0xE2, (byte) 0x82},
                    "\",\"method\":\"m\"}"), JsonRpcErrorCode.PARSE_ERROR);
        }

        @Test
        void anOverlongUtf8EncodingIsAParseError() {
            assertRejected(withBytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":[\"",
                    new byte[] {(byte) 0xC0, (byte) 0xAF}, "\"]}"), JsonRpcErrorCode.PARSE_ERROR);
        }

        @Test
        void anEncodedSurrogateIsAParseError() {
            assertRejected(withBytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":[\"",
                    new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, "\"]}"), JsonRpcErrorCode.PARSE_ERROR);
        }

        @Test
        void aCodePointAboveU10FFFFIsAParseError() {
            assertRejected(withBytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":[\"",
                    new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, "\"]}"),
                    JsonRpcErrorCode.PARSE_ERROR);
        }

        @Test
        void invalidUtf8OutsideStringsIsAParseError() {
            assertRejected(withBytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"}", new byte[] {(byte) 0x80}, ""),
                    JsonRpcErrorCode.PARSE_ERROR);
        }

        @Test
        void aUtf8ByteOrderMarkIsAParseError() {
            assertRejected(withBytes("", new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"}"), JsonRpcErrorCode.PARSE_ERROR);
        }

        @Test
        void utf16IsAParseError() {
            String call = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"},{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"n\"}]";

            assertRejected(call.getBytes(StandardCharsets.UTF_16BE), JsonRpcErrorCode.PARSE_ERROR);
            assertRejected(call.getBytes(StandardCharsets.UTF_16LE), JsonRpcErrorCode.PARSE_ERROR);
            assertRejected(call.getBytes(StandardCharsets.UTF_16), JsonRpcErrorCode.PARSE_ERROR);
        }

        @Test
        void utf32IsAParseError() {
            String call = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"}]";

            assertRejected(call.getBytes(java.nio.charset.Charset.forName("UTF-32BE")), JsonRpcErrorCode.PARSE_ERROR);
            assertRejected(call.getBytes(java.nio.charset.Charset.forName("UTF-32LE")), JsonRpcErrorCode.PARSE_ERROR);
        }

        @ParameterizedTest
        @ValueSource(strings = {"\u0000", "\u0000{}", "{\u0000}", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\u0000\"}"})
        void nulBytesAreAParseError(String body) {
            assertRejected(body, JsonRpcErrorCode.PARSE_ERROR);
        }

        @Test
        void gzipMagicIsAParseError() {
            assertRejected(withBytes("", new byte[] {0x1F, (byte) 0x8B, 0x08, 0x00, 0x00}, ""),
                    JsonRpcErrorCode.PARSE_ERROR);
        }

        @Test
        void validMultiByteUtf8IsRead() {
            JsonRpcCall call = single("{\"jsonrpc\":\"2.0\",\"id\":\"ид\",\"method\":\"m\",\"params\":[\"𝄞\"]}");

            assertThat(call.valid()).isTrue();
            assertThat(call.id()).hasToString("\"ид\"");
        }
    }

    private JsonRpcEnvelope read(String body) {
        return read(utf8(body));
    }

    private JsonRpcEnvelope read(byte[] body) {
        JsonRpcReader.Result result = reader.read(body);
        assertThat(result).as("result of reading the body").isInstanceOf(JsonRpcReader.Read.class);
        return ((JsonRpcReader.Read) result).envelope();
    }

    private JsonRpcCall single(String body) {
        JsonRpcEnvelope envelope = read(body);
        assertThat(envelope.batch()).isFalse();
        return envelope.calls().get(0);
    }

    private void assertRejected(String body, JsonRpcErrorCode code) {
        assertRejected(utf8(body), code);
    }

    private void assertRejected(byte[] body, JsonRpcErrorCode code) {
        JsonRpcReader.Result result = reader.read(body);
        assertThat(result).isInstanceOfSatisfying(JsonRpcReader.Rejected.class, rejected -> {
            assertThat(rejected.code()).isEqualTo(code);
            assertThat(rejected.detail()).isNotBlank();
        });
    }

    private static String batchOf(int calls) {
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < calls; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"jsonrpc\":\"2.0\",\"id\":").append(i).append(",\"method\":\"m\"}");
        }
        return batch.append(']').toString();
    }

    private static String slice(byte[] body, JsonRpcCall call) {
        return new String(body, call.start(), call.end() - call.start(), StandardCharsets.UTF_8);
    }

    private static byte[] withBytes(String before, byte[] middle, String after) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(utf8(before));
        out.writeBytes(middle);
        out.writeBytes(utf8(after));
        return out.toByteArray();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
