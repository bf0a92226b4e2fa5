package dev.relaygate.gateway.jsonrpc;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How the gateway's own errors for part of a batch are spliced into the upstream's answer to the rest. */
class JsonRpcBatchesTest {

    private static final String ERRORS = "[{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-32600,\"message\":\"x\"}}]";

    private static final String ERROR = ERRORS.substring(1, ERRORS.length() - 1);

    private static final String RESULT = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}";

    @Test
    void appendsTheErrorsToTheUpstreamArray() {
        assertThat(splice("[" + RESULT + "]", ERRORS)).isEqualTo("[" + RESULT + "," + ERROR + "]");
    }

    @Test
    void keepsTheUpstreamArrayAsItIsAroundItsWhitespace() {
        assertThat(splice(" \n[ " + RESULT + " ]\n", ERRORS)).isEqualTo("[ " + RESULT + " ," + ERROR + "]");
    }

    @Test
    void answersOnlyTheErrorsWhenTheUpstreamAnswersNothing() {
        assertThat(splice("", ERRORS)).isEqualTo(ERRORS);
        assertThat(splice(" \r\n", ERRORS)).isEqualTo(ERRORS);
        assertThat(splice("[ ]", ERRORS)).isEqualTo("[ " + ERROR + "]");
    }

    @Test
    void keepsTheGatewayErrorsWhenTheUpstreamAnswersTheBatchWithOneObject() {
        String upstreamError = "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32000,\"message\":\"busy\"}}";

        assertThat(splice(" " + upstreamError + "\n", ERRORS)).isEqualTo("[" + upstreamError + "," + ERROR + "]");
    }

    @Test
    void relaysAnUpstreamObjectAsItIsWhenThereIsNoErrorToAdd() {
        assertThat(splice(RESULT, "[]")).isEqualTo(RESULT);
    }

    @Test
    void givesUpOnAnUpstreamAnswerThatIsNeitherArrayNorObject() {
        assertThat(JsonRpcBatches.splice(utf8("<html>bad gateway</html>"), utf8(ERRORS))).isNull();
        assertThat(JsonRpcBatches.splice(utf8("\"text\""), utf8(ERRORS))).isNull();
    }

    private static String splice(String upstream, String errors) {
        return new String(JsonRpcBatches.splice(utf8(upstream), utf8(errors)), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
