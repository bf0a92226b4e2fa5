package dev.relaygate.gateway.upstream;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Which 2xx answers blame the node (it lags, is pruned, is rate-limited) and which are answers to relay. */
class NodeAnswersTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "none", textBlock = """
            {"jsonrpc":"2.0","id":1,"result":"0x10"}                                                   | none
            {"jsonrpc":"2.0","id":1,"result":null}                                                     | none
            {"jsonrpc":"2.0","id":1,"error":{"code":3,"message":"execution reverted","data":"0x"}}     | none
            {"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"invalid argument 0"}}            | none
            {"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"nonce too low"}}                 | none
            {"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"header not found"}}              | NODE_PROBLEM
            {"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"missing trie node abc (path )"}} | NODE_PROBLEM
            {"jsonrpc":"2.0","id":1,"error":{"code":-32001,"message":"Unknown block"}}                 | NODE_PROBLEM
            {"jsonrpc":"2.0","id":1,"error":{"code":-32005,"message":"Too Many Requests"}}             | RATE_LIMITED
            {"jsonrpc":"2.0","id":1,"error":{"code":429,"message":"slow down"}}                        | RATE_LIMITED
            [{"jsonrpc":"2.0","id":1,"result":"0x1"},{"jsonrpc":"2.0","id":2,"error":{"code":-32000,"message":"header not found"}}] | NODE_PROBLEM
            [{"jsonrpc":"2.0","id":1,"result":"0x1"},{"jsonrpc":"2.0","id":2,"result":"0x2"}]          | none
            {"jsonrpc":"2.0","id":1,"result":"error"}                                                  | none
            not json with "error" in it                                                                | none
            """)
    void classifiesAnswers(String body, Failure expected) {
        assertThat(NodeAnswers.classify(body.getBytes(StandardCharsets.UTF_8))).isEqualTo(expected);
    }
}
