package dev.relaygate.gateway.usage;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The parser-free reading of a single answer must decide exactly as Jackson does, or hand the answer to Jackson:
 * every answer below is classified both ways, for a 2xx and a 5xx status.
 */
class SingleAnswerTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x10d4f\"}",
        "  {\"jsonrpc\" : \"2.0\" ,\n \"id\" : \"a\" , \"result\" : null }  ",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"logs\":[{\"data\":\"error\"}],\"s\":\"}]\\\"{\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,\"message\":\"execution reverted\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":null,\"result\":true}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":null}",
        "{\"jsonrpc\":\"2.0\",\"id\":1}",
        "{}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"data\":{\"result\":1,\"error\":2}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"\\u0065rror\":{\"code\":1}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[1,2,{\"a\":[]}],\"error\":{\"code\":-1,\"message\":\"x\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":-1.5e3,\"result\":false}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[1,2}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":1]}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":tru}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"} trailing",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"unterminated}",
        "{\"jsonrpc\":\"2.0\" \"id\":1}",
        "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}]",
        "<html>502 Bad Gateway</html>",
        "",
        "null",
    })
    void decidesAsTheParserDoes(String answer) {
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        List<UsageCall> calls = List.of(new UsageCall("eth_blockNumber", "1", 10));
        for (int status : new int[] {200, 500}) {
            assertThat(AnswerClassifier.classify(calls, status, bytes))
                .as("status %d", status)
                .containsExactly(AnswerClassifier.classifyWithParser(calls, status, bytes));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x10d4f\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,\"message\":\"execution reverted\"}}",
        "{\"id\":1,\"result\":{\"nested\":[{\"error\":1}]}}",
    })
    void readsPlainAnswersWithoutTheParser(String answer) {
        assertThat(SingleAnswer.members(answer.getBytes(StandardCharsets.UTF_8))).isNotEqualTo(SingleAnswer.UNREADABLE);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"\\u0065rror\":{\"code\":1}}",
        "{\"result\":[1,2}",
        "{\"result\":tru}",
        "{\"result\":1} x",
        "[{\"result\":1}]",
    })
    void leavesAnythingElseToTheParser(String answer) {
        assertThat(SingleAnswer.members(answer.getBytes(StandardCharsets.UTF_8))).isEqualTo(SingleAnswer.UNREADABLE);
    }
}
