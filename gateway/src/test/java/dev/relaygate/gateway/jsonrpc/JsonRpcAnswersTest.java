package dev.relaygate.gateway.jsonrpc;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Answers written from a cached result carry the caller's id byte for byte, and a batch keeps its calls' order. */
class JsonRpcAnswersTest {

    private static final JsonRpcReader READER = new JsonRpcReader(64, 100);

    @ParameterizedTest(name = "id {0}")
    @ValueSource(strings = {"1", "0", "-7", "\"abc\"", "\"\"", "\"\\u00e9\"", "\"é\"", "\"\\ud800\"", "null",
        "123456789012345678901234567890123456789", "1.0E+2", "1e400", "-0", "0.10"})
    void aCachedResultIsAnsweredWithTheIdExactlyAsSent(String id) {
        JsonRpcCall call = single("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"eth_chainId\",\"params\":[]}");

        byte[] answer = JsonRpcAnswers.result(call.id(), bytes("\"0x1\""));

        assertThat(text(answer)).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":\"0x1\"}");
    }

    @Test
    void readsEachAnswerObjectAndWhereItsResultLies() {
        byte[] answer = bytes("[{\"jsonrpc\":\"2.0\",\"id\":\"\\u0061\",\"result\":{\"blockNumber\":\"0x1\",\"logs\":[]}},"
                + " {\"id\":2,\"jsonrpc\":\"2.0\",\"error\":{\"code\":1,\"message\":\"x\"}},{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"0x\\\"2\"}]");

        List<JsonRpcAnswers.Element> elements = JsonRpcAnswers.elements(answer);

        assertThat(elements).hasSize(3);
        assertThat(elements.get(0).idKey()).isEqualTo("sa");
        assertThat(text(JsonRpcAnswers.resultOf(answer, elements.get(0)))).isEqualTo("{\"blockNumber\":\"0x1\",\"logs\":[]}");
        assertThat(elements.get(1).succeeded()).isFalse();
        assertThat(text(JsonRpcAnswers.resultOf(answer, elements.get(2)))).isEqualTo("\"0x\\\"2\"");
        assertThat(JsonRpcAnswers.elements(bytes("<html>"))).isNull();
        assertThat(JsonRpcAnswers.elements(bytes("[1,2]"))).isNull();
    }

    @Test
    void aBatchAnsweredInPartFromTheCacheComesBackInTheOrderOfItsCalls() {
        List<JsonRpcCall> calls = batch("[{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"eth_chainId\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_blockNumber\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"net_version\"},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"eth_blockNumber\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":1e2,\"method\":\"eth_gasPrice\"}]");
        byte[][] cached = {bytes("\"0x1\""), null, bytes("\"1\""), null, null};
        // The node answers out of order, and writes one id its own way (1e2 as 100.0): that answer is kept, last.
        byte[] upstream = bytes("[{\"jsonrpc\":\"2.0\",\"id\":100.0,\"result\":\"0x5\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"0x10\"}]");

        byte[] answer = JsonRpcAnswers.batch(calls, cached, upstream, bytes("[{\"jsonrpc\":\"2.0\",\"id\":9,\"error\":{}}]"));

        assertThat(text(answer)).isEqualTo("[{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"result\":\"0x1\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"0x10\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":\"1\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":100.0,\"result\":\"0x5\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":9,\"error\":{}}]");
    }

    @Test
    void aBatchAnsweredWhollyFromTheCacheNeedsNoUpstreamAnswer() {
        List<JsonRpcCall> calls = batch("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"}]");

        byte[] answer = JsonRpcAnswers.batch(calls, new byte[][] {bytes("\"0x1\""), bytes("\"0x1\"")}, null, null);

        assertThat(text(answer)).isEqualTo("[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}]");
    }

    @Test
    void anUpstreamAnswerThatIsNotJsonRpcIsLeftToTheCaller() {
        List<JsonRpcCall> calls = batch("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_blockNumber\"}]");

        assertThat(JsonRpcAnswers.batch(calls, new byte[][] {bytes("\"0x1\""), null}, bytes("oops"), null)).isNull();
    }

    @Test
    void theParamsOfACallAreReadAsSent() {
        String body = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_y\"},"
                + "{\"jsonrpc\":\"2.0\",\"params\":[\"0x10\", {\"a\":[1]}],\"id\":\"p\",\"method\":\"eth_x\"}]";
        List<JsonRpcCall> calls = batch(body);

        assertThat(JsonRpcReader.paramsOf(bytes(body), calls.get(0))).isNull();
        assertThat(text(JsonRpcReader.paramsOf(bytes(body), calls.get(1)))).isEqualTo("[\"0x10\", {\"a\":[1]}]");
    }

    private static JsonRpcCall single(String body) {
        return ((JsonRpcReader.Read) READER.read(bytes(body))).envelope().calls().get(0);
    }

    private static List<JsonRpcCall> batch(String body) {
        return ((JsonRpcReader.Read) READER.read(bytes(body))).envelope().calls();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
