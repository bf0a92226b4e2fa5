package dev.relaygate.gateway.config;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.relaygate.gateway.testsupport.ErrorLines;
import dev.relaygate.gateway.testsupport.GatewayIntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slow and idle clients, over plain sockets against the running gateway: a request that stops coming in is cut
 * after the read timeout, a request that keeps coming is read however long it takes, and a keep-alive connection
 * with nothing under way is closed after the idle timeout, counted from its last answer.
 */
@ExtendWith(OutputCaptureExtension.class)
class SlowClientIT extends GatewayIntegrationTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}";

    @LocalServerPort
    private int port;

    @DynamicPropertySource
    static void shortTimeouts(DynamicPropertyRegistry properties) {
        properties.add("relaygate.server.read-timeout", () -> "300ms");
        properties.add("relaygate.server.idle-timeout", () -> "3s");
    }

    @Test
    void aRequestWhoseBodyStopsComingIsCutAfterTheReadTimeout(CapturedOutput logs) throws IOException {
        String key = activeKey();
        // What this test logs: the output captured so far holds the context's start (and whatever other threads
        // logged meanwhile).
        int before = logs.getAll().length();
        try (Socket socket = connect()) {
            long started = System.nanoTime();
            send(socket, head(key, CALL.length()) + CALL.substring(0, 10));

            assertThat(readUntilClosed(socket)).isEmpty();
            assertThat(since(started)).isBetween(Duration.ofMillis(300), Duration.ofMillis(2500));
        }
        // A slow client is not the gateway's failure: no ERROR line (there were two, with a stack trace, while the
        // timeout raised an exception through the pipeline), and never the key.
        assertThat(ErrorLines.in(logs.getAll().substring(before))).isEmpty();
        assertThat(logs.getAll()).doesNotContain(key);
    }

    @Test
    void aBodyThatKeepsComingIsReadThoughItTakesLongerThanTheReadTimeout() throws Exception {
        try (Socket socket = connect()) {
            send(socket, head(activeKey(), CALL.length()));
            // Ten parts, 150 ms apart: 1.5 s in all, never 300 ms without a byte.
            for (int part = 0; part < 10; part++) {
                Thread.sleep(150);
                int from = part * CALL.length() / 10;
                send(socket, CALL.substring(from, (part + 1) * CALL.length() / 10));
            }

            assertThat(readAnswer(socket)).startsWith("HTTP/1.1 200 OK").contains("\"result\"");
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeoutFromItsLastAnswer() throws Exception {
        String key = activeKey();
        try (Socket socket = connect()) {
            send(socket, head(key, CALL.length()) + CALL);
            assertThat(readAnswer(socket)).startsWith("HTTP/1.1 200 OK");
            Thread.sleep(1500);
            // Still open half-way through the idle timeout, and usable.
            send(socket, head(key, CALL.length()) + CALL);
            assertThat(readAnswer(socket)).startsWith("HTTP/1.1 200 OK");
            long lastAnswer = System.nanoTime();

            assertThat(readUntilClosed(socket)).isEmpty();
            assertThat(since(lastAnswer)).isBetween(Duration.ofMillis(2900), Duration.ofSeconds(10));
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(15_000);
        return socket;
    }

    private String head(String key, int contentLength) {
        return "POST /v1/anvil/" + key + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + contentLength + "\r\n\r\n";
    }

    private static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** One answer: its head and a body of its Content-Length. */
    private static String readAnswer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int next = in.read();
            if (next < 0) {
                throw new IOException("closed after " + head.toString(StandardCharsets.US_ASCII));
            }
            head.write(next);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        int length = text.lines()
            .filter(line -> line.toLowerCase().startsWith("content-length:"))
            .mapToInt(line -> Integer.parseInt(line.substring(line.indexOf(':') + 1).trim()))
            .findFirst()
            .orElse(0);
        return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /** Everything the gateway sends until it closes the connection (a reset counts as closed). */
    private static String readUntilClosed(Socket socket) throws IOException {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        try {
            socket.getInputStream().transferTo(read);
        }
        catch (SocketException reset) {
            // Closed with unread bytes on our side: a reset, still a close.
        }
        return read.toString(StandardCharsets.US_ASCII);
    }

    private static Duration since(long started) {
        return Duration.ofNanos(System.nanoTime() - started);
    }
}
