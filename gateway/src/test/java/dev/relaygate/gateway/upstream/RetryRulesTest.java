package dev.relaygate.gateway.upstream;

import java.io.IOException;
import java.net.ConnectException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeoutException;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The retry rules of issue #17 as a table: method(s) × failure → sent to another upstream or not. */
class RetryRulesTest {

    @ParameterizedTest(name = "{0} after {1}: resent={2}")
    @CsvSource(delimiter = '|', textBlock = """
            eth_call                          | CONNECT      | true
            eth_call                          | TIMEOUT      | true
            eth_call                          | BROKEN       | true
            eth_call                          | HTTP_ERROR   | true
            eth_call                          | RATE_LIMITED | true
            eth_call                          | NODE_PROBLEM | true
            eth_call                          | TOO_LARGE    | false
            eth_getLogs                       | TIMEOUT      | true
            eth_blockNumber eth_getBalance    | HTTP_ERROR   | true
            eth_sendRawTransaction            | CONNECT      | true
            eth_sendRawTransaction            | TIMEOUT      | false
            eth_sendRawTransaction            | BROKEN       | false
            eth_sendRawTransaction            | HTTP_ERROR   | false
            eth_sendRawTransaction            | RATE_LIMITED | false
            eth_sendRawTransaction            | TOO_LARGE    | false
            eth_call eth_sendRawTransaction   | CONNECT      | true
            eth_call eth_sendRawTransaction   | TIMEOUT      | false
            eth_call eth_sendRawTransaction   | HTTP_ERROR   | false
            eth_newFilter                     | HTTP_ERROR   | false
            some_unknownMethod                | TIMEOUT      | false
            some_unknownMethod                | CONNECT      | true
            getSlot                           | TIMEOUT      | true
            sendTransaction                   | TIMEOUT      | false
            """)
    void resendsReadsAfterAnyFailureAndWritesOnlyWhenNothingWasSent(String methods, Failure failure,
            boolean resent) {
        List<String> calls = Arrays.asList(methods.trim().split(" +"));

        assertThat(failure.mayResend(ReadMethods.allReads(calls))).isEqualTo(resent);
    }

    @Test
    void connectFailuresAreTheOnlyOnesWhereNothingWasSent() {
        assertThat(Failure.of(new ConnectException("Connection refused"))).isEqualTo(Failure.CONNECT);
        assertThat(Failure.of(new ConnectTimeoutException("connection timed out"))).isEqualTo(Failure.CONNECT);
        assertThat(Failure.of(new RuntimeException(new ConnectException("wrapped")))).isEqualTo(Failure.CONNECT);
        assertThat(Failure.of(new TimeoutException())).isEqualTo(Failure.TIMEOUT);
        assertThat(Failure.of(ReadTimeoutException.INSTANCE)).isEqualTo(Failure.TIMEOUT);
        assertThat(Failure.of(new IOException("Connection reset by peer"))).isEqualTo(Failure.BROKEN);
        assertThat(Failure.of(new IllegalStateException("malformed chunk"))).isEqualTo(Failure.BROKEN);
    }

    @Test
    void anEmptyRequestIsNotARead() {
        assertThat(ReadMethods.allReads(List.of())).isFalse();
    }
}
