package dev.relaygate.gateway.hotpath;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.relaygate.gateway.testsupport.CountingUpstream;
import dev.relaygate.gateway.testsupport.GatewayIntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The life of a socket's connection (docs/websocket.md): a client's first frame, sent the moment the upgrade is
 * answered, is answered; and the HTTP server's keep-alive idle timeout ({@code server.netty.idle-timeout}, set far
 * below the socket's own here) never closes a socket: only the gateway's {@code relaygate.websocket.idle-timeout} does.
 */
class WebSocketConnectionIT extends GatewayIntegrationTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}";

    @LocalServerPort
    private int port;

    @DynamicPropertySource
    static void shortTimeouts(DynamicPropertyRegistry properties) {
        // Pings further apart than the HTTP idle timeout: a socket lives on its own traffic and timeout only.
        properties.add("server.netty.idle-timeout", () -> "1s");
        properties.add("relaygate.websocket.ping-interval", () -> "1500ms");
        properties.add("relaygate.websocket.idle-timeout", () -> "3500ms");
        // The whole-request timeout of the upgrade's GET, far below a socket's life (default 30 s).
        properties.add("relaygate.server.request-timeout", () -> "1s");
    }

    /**
     * Each socket's key is new, so its upgrade waits for Redis and is decided off the connection's event loop: the
     * case in which the first frame used to reach the connection before the socket's handling of it did.
     */
    @Test
    void theFirstFrameOfEveryNewSocketIsAnsweredEvenWhenSentTheMomentTheUpgradeIsAnswered() throws Exception {
        int sockets = 400;
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < sockets; i++) {
                boolean ping = i % 2 == 0;
                String key = activeKey();
                answers.add(clients.submit(() -> {
                    try (RawSocket socket = RawSocket.open(port, "/v1/anvil/" + key)) {
                        if (ping) {
                            socket.sendPing("first");
                            return socket.nextPong(Duration.ofSeconds(5));
                        }
                        socket.sendText(CALL);
                        return socket.nextText(Duration.ofSeconds(5));
                    }
                }));
            }
            List<Integer> unanswered = new ArrayList<>();
            for (int i = 0; i < sockets; i++) {
                String answer = answers.get(i).get();
                if (answer == null || !answer.equals(i % 2 == 0 ? "first" : CountingUpstream.ANSWER)) {
                    unanswered.add(i);
                }
            }
            assertThat(unanswered).as("sockets whose first frame was not answered, of %d", sockets).isEmpty();
        }
        finally {
            clients.shutdownNow();
        }
    }

    @Test
    void aSocketWithPingsOutlivesTheHttpIdleTimeoutAndASilentOneIsClosedByTheSocketsOwn() {
        // The key is cached from here on: the upgrades below are decided at once, as most are.
        String key = cachedKey();
        try (TestSocket alive = new TestSocket(url(key));
                RawSocket silent = RawSocket.open(port, "/v1/anvil/" + key)) {
            long openedAt = System.nanoTime();
            alive.send(CALL);
            alive.await(m -> m.contains("\"id\":1,"));

            // Reads nothing and answers no ping: closed by the socket's idle timeout (3.5 s, checked at each ping), not
            // the HTTP server's (1 s).
            assertThat(silent.closeCode(Duration.ofSeconds(8))).isEqualTo(4000);
            long closedAfterMillis = Duration.ofNanos(System.nanoTime() - openedAt).toMillis();
            assertThat(closedAfterMillis).isBetween(3500L, 6500L);

            // Sends nothing either, but answers every ping: open for five times the HTTP idle timeout.
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6))
                .until(() -> alive.closeStatus() == null && alive.failure() == null);
            assertThat(alive.pings()).as("the gateway kept pinging it").isGreaterThanOrEqualTo(5);
            alive.send(CALL);
            assertThat(alive.await(m -> m.contains("\"id\":1,"))).contains("\"result\"");
        }
    }

    /**
     * The load test's 10,000 sockets (issue #20) were closed without a close frame 30 s after each opened: the upgrade
     * of a cached key was decided at once, within the read of the GET's head, so the socket replaced the HTTP exchange
     * before the request's end was read, and Reactor Netty's request timer for that GET was never stopped; when it
     * fired it closed the connection. The handshake now starts in a later task of the event loop, after the request's
     * end has been read.
     */
    @Test
    void aSocketOfACachedKeyOutlivesTheUpgradeRequestsTimeout() {
        String key = cachedKey();
        try (TestSocket socket = new TestSocket(url(key))) {
            socket.send(CALL);
            socket.await(m -> m.contains("\"id\":1,"));

            // Four times the request timeout (1 s), answering pings.
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(5))
                .until(() -> socket.closeStatus() == null && socket.failure() == null);
            socket.send(CALL);
            assertThat(socket.await(m -> m.contains("\"id\":1,"))).contains("\"result\"");
        }
    }

    private String url(String key) {
        return "ws://127.0.0.1:" + port + "/v1/anvil/" + key;
    }

    /** An active key that one socket has used already, so that the gateway has it cached. */
    private String cachedKey() {
        String key = activeKey();
        try (TestSocket first = new TestSocket(url(key))) {
            first.send(CALL);
            first.await(m -> m.contains("\"id\":1,"));
        }
        return key;
    }
}
