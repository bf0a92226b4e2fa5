package dev.relaygate.gateway.jsonrpc;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The bytes of the gateway's error objects, whatever the detail they carry. */
class JsonRpcErrorsTest {

    @Test
    void writesTheErrorObjectWithTheIdAsSent() {
        JsonRpcId id = JsonRpcId.ofJson("\"\\u00e9\"".getBytes(StandardCharsets.UTF_8));

        byte[] error = JsonRpcErrors.error(JsonRpcErrorCode.INVALID_REQUEST, id, "method must be a string");

        assertThat(new String(error, StandardCharsets.UTF_8)).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":\"\\u00e9\","
                + "\"error\":{\"code\":-32600,\"message\":\"invalid request\",\"data\":\"method must be a string\"}}");
    }

    @Test
    void leavesOutDataWhenThereIsNoDetail() {
        assertThat(new String(JsonRpcErrors.error(JsonRpcErrorCode.UNAUTHORIZED, JsonRpcId.NULL, null),
                StandardCharsets.UTF_8))
            .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32001,\"message\":\"unauthorized\"}}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"debug_\ud800", "\udc00x", "a\ud800\ud800b", "x\ud83d"})
    void writesALoneSurrogateInADetailAsAReplacementCharacter(String method) {
        byte[] error = JsonRpcErrors.error(JsonRpcErrorCode.METHOD_NOT_ALLOWED, JsonRpcId.NULL, method + " is not allowed");

        String text = new String(error, StandardCharsets.UTF_8);
        assertThat(JsonRpcEncoding.problem(error)).isNull();
        assertThat(text).contains("\uFFFD").doesNotContain("?");
    }

    @Test
    void keepsPairedSurrogatesAndEscapesControlCharacters() {
        String text = new String(JsonRpcErrors.quote("\ud83d\ude00\n\"é"), StandardCharsets.UTF_8);

        assertThat(text).isEqualTo("\"\ud83d\ude00\\n\\\"é\"");
    }

    @Test
    void writesABatchOfErrorsWithoutTheNotifications() {
        JsonRpcCall invalid = new JsonRpcCall(null, JsonRpcId.ofJson("7".getBytes(StandardCharsets.US_ASCII)), false,
                1, 5, "method is missing");
        JsonRpcCall notification = new JsonRpcCall("debug_x", JsonRpcId.NULL, true, 6, 9, null);

        byte[] errors = JsonRpcErrors.errors(List.of(JsonRpcRefusal.invalid(invalid),
                new JsonRpcRefusal(notification, JsonRpcErrorCode.METHOD_NOT_ALLOWED, "no")));

        assertThat(new String(errors, StandardCharsets.UTF_8)).isEqualTo("[{\"jsonrpc\":\"2.0\",\"id\":7,"
                + "\"error\":{\"code\":-32600,\"message\":\"invalid request\",\"data\":\"method is missing\"}}]");
    }
}
