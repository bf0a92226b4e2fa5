package dev.relaygate.gateway.usage;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import static dev.relaygate.gateway.usage.UsageOutcome.OK;
import static dev.relaygate.gateway.usage.UsageOutcome.RPC_ERROR;
import static dev.relaygate.gateway.usage.UsageOutcome.UPSTREAM_ERROR;
import static org.assertj.core.api.Assertions.assertThat;

/** The outcome of each relayed call, read from the node's answer. */
class AnswerClassifierTest {

    @Test
    void aSingleResultIsOk() {
        assertThat(classify(List.of(call("1")), 200, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":[1,2]}}"))
            .containsExactly(OK);
    }

    @Test
    void aSingleErrorObjectIsAnRpcError() {
        assertThat(classify(List.of(call("1")), 200,
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,\"message\":\"execution reverted\"}}"))
            .containsExactly(RPC_ERROR);
    }

    @Test
    void aBatchAnswerIsMatchedToItsCallsByIdInAnyOrder() {
        List<UsageCall> calls = List.of(call("1"), call("\"b\""), call("3"));

        UsageOutcome[] outcomes = classify(calls, 200, "[{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"0x1\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":\"b\",\"error\":{\"code\":-32602,\"message\":\"bad\"}},"
                + "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}]");

        assertThat(outcomes).containsExactly(OK, RPC_ERROR, OK);
    }

    @Test
    void aBatchCallWithoutAnAnswerIsAnUpstreamErrorAndANotificationIsOk() {
        List<UsageCall> calls = List.of(call("1"), call("2"), call(null));

        assertThat(classify(calls, 200, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}]"))
            .containsExactly(OK, UPSTREAM_ERROR, OK);
    }

    @Test
    void duplicateIdsInABatchKeepTheCountsPerOutcomeExact() {
        List<UsageCall> calls = List.of(call("7"), call("7"), call("7"));

        UsageOutcome[] outcomes = classify(calls, 200, "[{\"id\":7,\"error\":{\"code\":1}},{\"id\":7,\"result\":1},"
                + "{\"id\":7,\"result\":2}]");

        assertThat(outcomes).containsExactlyInAnyOrder(RPC_ERROR, OK, OK);
    }

    @Test
    void anIdWrittenWithEscapesMatchesTheSameId() {
        assertThat(classify(List.of(call("\"a\""), call("\"b\"")), 200,
                "[{\"id\":\"\\u0062\",\"result\":1},{\"id\":\"a\",\"error\":{}}]"))
            .containsExactly(RPC_ERROR, OK);
    }

    @Test
    void aNonJsonAnswerIsAnUpstreamErrorForEveryCall() {
        assertThat(classify(List.of(call("1"), call("2")), 502, "<html>Bad Gateway</html>"))
            .containsExactly(UPSTREAM_ERROR, UPSTREAM_ERROR);
        assertThat(classify(List.of(call("1")), 200, "{\"id\":1,\"result\":\"trunc"))
            .containsExactly(UPSTREAM_ERROR);
    }

    @Test
    void noAnswerAtAllIsAnUpstreamError() {
        assertThat(AnswerClassifier.classify(List.of(call("1")), 0, null)).containsExactly(UPSTREAM_ERROR);
    }

    @Test
    void aNon2xxAnswerWithAResultIsAnUpstreamErrorButAJsonRpcErrorStaysAnRpcError() {
        assertThat(classify(List.of(call("1")), 500, "{\"id\":1,\"result\":\"0x1\"}")).containsExactly(UPSTREAM_ERROR);
        assertThat(classify(List.of(call("1")), 429, "{\"id\":1,\"error\":{\"code\":-32005}}"))
            .containsExactly(RPC_ERROR);
    }

    @Test
    void oneErrorObjectAnsweringAWholeBatchAppliesToEveryCall() {
        assertThat(classify(List.of(call("1"), call("2")), 200, "{\"id\":null,\"error\":{\"code\":-32600}}"))
            .containsExactly(RPC_ERROR, RPC_ERROR);
    }

    @Test
    void anErrorMemberThatIsNullIsNotAnError() {
        assertThat(classify(List.of(call("1")), 200, "{\"id\":1,\"error\":null,\"result\":1}")).containsExactly(OK);
    }

    private static UsageOutcome[] classify(List<UsageCall> calls, int status, String answer) {
        return AnswerClassifier.classify(calls, status, answer.getBytes(StandardCharsets.UTF_8));
    }

    private static UsageCall call(String id) {
        return new UsageCall("eth_call", id, 26);
    }
}
