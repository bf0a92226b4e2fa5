package dev.relaygate.gateway.observability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;

import dev.relaygate.gateway.testsupport.ErrorLines;
import dev.relaygate.gateway.testsupport.GatewayIntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client that goes away mid-request is not a gateway error: nothing is logged at ERROR, the key in its path never
 * reaches a log line, and the gateway keeps serving. (Under WebFlux such an abort was logged at ERROR by
 * HttpWebHandlerAdapter with the whole key in the path.)
 */
@ExtendWith(OutputCaptureExtension.class)
class ClientAbortIT extends GatewayIntegrationTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}";

    @Value("${local.server.port}")
    int port;

    @Test
    void aClientThatClosesMidBodyLeavesNoErrorAndNoKeyInTheLogs(CapturedOutput logs) throws IOException {
        String key = activeKey();

        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(head(key, 10_000).getBytes(StandardCharsets.US_ASCII));
            out.write(CALL.substring(0, 20).getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        assertServesOnWithCleanLogs(key, logs);
    }

    @Test
    void aClientThatResetsTheConnectionBeforeItsAnswerLeavesNoErrorAndNoKeyInTheLogs(CapturedOutput logs)
            throws IOException {
        String key = activeKey();
        int relayedBefore = UPSTREAM.settledRequests();

        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoLinger(true, 0);
            OutputStream out = socket.getOutputStream();
            out.write(head(key, CALL.length()).getBytes(StandardCharsets.US_ASCII));
            out.write(CALL.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            in.read();
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> UPSTREAM.requests() > relayedBefore);
        assertServesOnWithCleanLogs(key, logs);
    }

    private void assertServesOnWithCleanLogs(String key, CapturedOutput logs) {
        client.post().uri("/v1/anvil/" + key).contentType(MediaType.APPLICATION_JSON).bodyValue(CALL)
            .exchange().expectStatus().isOk();
        assertThat(logs.getAll()).doesNotContain(key);
        assertThat(ErrorLines.in(logs.getAll())).isEmpty();
    }

    private static String head(String key, int contentLength) {
        return "POST /v1/anvil/" + key + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + contentLength + "\r\n\r\n";
    }
}
