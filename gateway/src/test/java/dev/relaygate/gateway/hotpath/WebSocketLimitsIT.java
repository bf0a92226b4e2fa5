package dev.relaygate.gateway.hotpath;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.node.ObjectNode;

import dev.relaygate.gateway.testsupport.AnvilNode;
import dev.relaygate.gateway.testsupport.GatewayIntegrationTest;
import dev.relaygate.gateway.testsupport.Snapshots;
import dev.relaygate.gateway.testsupport.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The WebSocket limits of issue #20, each set small here (docs/websocket.md, "Limits"): subscriptions per socket,
 * sockets per key and per organization, message size, idle timeout and ping/pong, and the slow consumer, whose socket
 * is closed at the buffer bound while the gateway's memory stays flat. Against the whole gateway and a real Anvil node.
 */
class WebSocketLimitsIT extends GatewayIntegrationTest {

    private static final Logger log = LoggerFactory.getLogger(WebSocketLimitsIT.class);

    private static final AnvilNode NODE = AnvilNode.start();

    private static final int MAX_MESSAGE_BYTES = 4096;

    private static final Pattern RESULT = Pattern.compile("\"result\":\"(0x[0-9a-f]+)\"");

    private static final Pattern HEAD_NUMBER = Pattern.compile("\"number\":\"0x([0-9a-f]+)\"");

    @LocalServerPort
    private int port;

    @LocalManagementPort
    private int managementPort;

    @Autowired
    private MeterRegistry meters;

    @DynamicPropertySource
    static void smallLimits(DynamicPropertyRegistry properties) {
        properties.add("relaygate.chains[1].id", () -> "anvil-ws");
        properties.add("relaygate.chains[1].upstreams[0].url", NODE::url);
        properties.add("relaygate.chains[1].upstreams[0].ws-url", NODE::wsUrl);
        properties.add("relaygate.websocket.max-subscriptions-per-socket", () -> "2");
        properties.add("relaygate.websocket.max-sockets-per-key", () -> "2");
        properties.add("relaygate.websocket.max-sockets-per-organization", () -> "3");
        properties.add("relaygate.websocket.max-message-bytes", () -> Integer.toString(MAX_MESSAGE_BYTES));
        properties.add("relaygate.websocket.max-buffered-bytes", () -> "65536");
        properties.add("relaygate.websocket.ping-interval", () -> "200ms");
        properties.add("relaygate.websocket.idle-timeout", () -> "1s");
    }

    @AfterAll
    static void stopAnvil() {
        NODE.close();
    }

    @Test
    void anEthSubscribeBeyondTheSocketsLimitIsRefusedWithItsIdAndTheOthersKeepDelivering() {
        try (TestSocket socket = new TestSocket(url(activeKey()))) {
            String first = subscribe(socket, 1);
            String second = subscribe(socket, 2);

            socket.send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"eth_subscribe\",\"params\":[\"newHeads\"]}");
            assertThat(socket.await(m -> m.contains("\"id\":3,"))).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":"
                    + "{\"code\":-32005,\"message\":\"limit exceeded\",\"data\":\"at most 2 subscriptions per socket\"}}");

            long next = NODE.blockNumber() + 1;
            NODE.mine(2);
            for (long head = next; head <= next + 1; head++) {
                awaitHead(socket, first, head);
                awaitHead(socket, second, head);
            }
            assertThat(socket.all(m -> m.contains("eth_subscription"))).as("two subscriptions, one notification each")
                .isEmpty();
            assertThat(socket.closeStatus()).isNull();

            socket.send("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"eth_unsubscribe\",\"params\":[\"" + first + "\"]}");
            assertThat(socket.await(m -> m.contains("\"id\":4,"))).contains("\"result\":true");
            assertThat(subscribe(socket, 5)).as("room for one again").isNotEqualTo(second);
        }
    }

    @Test
    void aKeyHoldsAtMostItsSocketsAndAnOrganizationAtMostItsOwn() {
        String a = TestKeys.newKey();
        String b = TestKeys.newKey();
        ObjectNode keyA = Snapshots.keySnapshot(TestKeys.sha256(a));
        ObjectNode keyB = Snapshots.keySnapshot(TestKeys.sha256(b));
        keyB.put("organizationId", keyA.get("organizationId").asString());
        publishKey(keyA);
        publishKey(keyB);

        try (TestSocket a1 = answering(a); TestSocket a2 = answering(a)) {
            TestSocket.Refusal thirdOfKey = TestSocket.handshake(httpUrl(a));
            assertThat(thirdOfKey.status()).isEqualTo(429);
            assertThat(thirdOfKey.body()).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32005,"
                    + "\"message\":\"too many open WebSockets\",\"data\":\"at most 2 per key\"}}");

            try (TestSocket b1 = answering(b)) {
                TestSocket.Refusal fourthOfOrganization = TestSocket.handshake(httpUrl(b));
                assertThat(fourthOfOrganization.status()).isEqualTo(429);
                assertThat(fourthOfOrganization.body()).contains("\"data\":\"at most 3 per organization\"");
                assertThat(List.of(a1, a2, b1)).allSatisfy(s -> assertThat(s.closeStatus()).isNull());
            }
            a2.close();
            // Counted out when the socket ends: a new one of the key is admitted again.
            await().atMost(Duration.ofSeconds(5)).until(() -> TestSocket.handshake(httpUrl(a)).status() != 429);
        }
    }

    @Test
    void aMessageUpToTheSizeLimitIsAnsweredAndOneByteMoreClosesTheSocketWith1009() {
        double tooBigBefore = closes("too_big");
        try (TestSocket socket = new TestSocket(url(activeKey()))) {
            socket.send(callOfSize(7, MAX_MESSAGE_BYTES));
            assertThat(socket.await(m -> m.contains("\"id\":7,"))).contains("\"result\":\"0x7a69\"");
        }
        try (RawSocket socket = RawSocket.open(port, "/v1/anvil-ws/" + activeKey())) {
            socket.sendText(callOfSize(8, MAX_MESSAGE_BYTES + 1));
            // Read by hand: the gateway resets the connection after its close frame, with the call still unread.
            assertThat(socket.closeCode(Duration.ofSeconds(5))).isEqualTo(1009);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> closes("too_big") > tooBigBefore);
    }

    @Test
    void aMessageInFragmentsIsLimitedAsAWhole() {
        String call = callOfSize(9, MAX_MESSAGE_BYTES + 100);
        try (RawSocket socket = RawSocket.open(port, "/v1/anvil-ws/" + activeKey())) {
            // Each fragment is below the limit; the message they make is not.
            socket.sendFragmented(call.substring(0, call.length() / 2), call.substring(call.length() / 2));
            assertThat(socket.closeCode(Duration.ofSeconds(5))).isEqualTo(1009);
        }
        try (RawSocket socket = RawSocket.open(port, "/v1/anvil-ws/" + activeKey())) {
            String fits = callOfSize(10, MAX_MESSAGE_BYTES);
            socket.sendFragmented(fits.substring(0, 100), fits.substring(100));
            assertThat(socket.nextText(Duration.ofSeconds(5))).as("the whole message fits")
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":10,\"result\":\"0x7a69\"}");
        }
    }

    @Test
    void aSocketThatAnswersNoPingIsClosedAtTheIdleTimeoutWhileOneThatDoesStaysOpen() {
        String key = activeKey();
        try (TestSocket deaf = TestSocket.deaf(url(key)); TestSocket alive = new TestSocket(url(key))) {
            deaf.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}");
            alive.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}");
            deaf.await(m -> m.contains("\"id\":1,"));
            alive.await(m -> m.contains("\"id\":1,"));
            long openedAt = System.nanoTime();

            // Idle timeout 1 s, checked at each ping (every 200 ms).
            await().atMost(Duration.ofSeconds(3)).until(() -> deaf.closeStatus() != null);
            long closedAfterMillis = Duration.ofNanos(System.nanoTime() - openedAt).toMillis();
            assertThat(deaf.closeStatus().code()).isEqualTo(4000);
            assertThat(deaf.closeStatus().reasonText()).isEqualTo("idle timeout");
            assertThat(closedAfterMillis).isBetween(800L, 2500L);
            assertThat(deaf.pings()).as("the gateway pinged it").isGreaterThanOrEqualTo(3);

            // The other one sent nothing either, but answered every ping.
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> alive.closeStatus() == null);
            assertThat(alive.pings()).isGreaterThanOrEqualTo(8);
            alive.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_chainId\",\"params\":[]}");
            assertThat(alive.await(m -> m.contains("\"id\":2,"))).contains("\"result\":\"0x7a69\"");
        }
    }

    @Test
    void theGatewayAnswersAClientsPingWithAPongCarryingItsPayload() {
        try (TestSocket socket = new TestSocket(url(activeKey()))) {
            socket.sendFrame(new PingWebSocketFrame(Unpooled.copiedBuffer("are you there", StandardCharsets.US_ASCII)));
            await().atMost(Duration.ofSeconds(10)).until(() -> socket.pongs().contains("are you there"));
        }
    }

    /**
     * A client that subscribes to {@code newHeads} and then reads nothing, while the chain mines several MB of heads:
     * the socket is closed at the 64 KiB bound, and the gateway keeps none of it (heap after a full collection and
     * Netty's direct memory back where they were).
     */
    @Test
    void aSlowConsumerIsClosedAtTheBufferBoundAndTheGatewayKeepsNothingOfWhatItCouldNotSend() {
        String key = activeKey();
        double slowBefore = closes("slow_consumer");
        long heapBefore = heapAfterCollection();
        long directBefore = directMemory();
        ScheduledExecutorService pongs = Executors.newSingleThreadScheduledExecutor();
        try (RawSocket stalled = RawSocket.open(port, "/v1/anvil-ws/" + key)) {
            stalled.sendText("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_subscribe\",\"params\":[\"newHeads\"]}");
            assertThat(stalled.nextText(Duration.ofSeconds(10))).as("subscribed; from here on it reads nothing")
                .contains("\"id\":1,\"result\":\"0x");
            // Alive, so that the idle timeout is not what closes it.
            pongs.scheduleAtFixedRate(() -> {
                try {
                    stalled.sendPong();
                }
                catch (RuntimeException closed) {
                    // The gateway closed it.
                }
            }, 0, 100, TimeUnit.MILLISECONDS);

            long headBytes = mineUntilSlowConsumerClosed(slowBefore);
            log.info("Slow consumer: {} bytes of heads were due to the stalled client when it was closed", headBytes);
            assertThat(headBytes).as("far more than the bound was due").isGreaterThan(4 * 65536);
            assertThat(stalled.endedWithin(Duration.ofSeconds(5))).as("the gateway ended the connection").isTrue();
        }
        finally {
            pongs.shutdownNow();
        }
        await().atMost(Duration.ofSeconds(5)).until(() ->
                meters.get("relaygate.websocket.subscriptions").tag("type", "newHeads").gauge().value() == 0);

        long heapGrowth = heapAfterCollection() - heapBefore;
        long directGrowth = directMemory() - directBefore;
        log.info("Slow consumer: heap after collection grew {} bytes, Netty direct memory {} bytes", heapGrowth,
                directGrowth);
        // Heap after a full collection: what the gateway still holds. Netty's figure is the direct memory its
        // allocator holds in chunks (released buffers go back to them), so it moves by whole chunks with the traffic
        // of every client of this JVM; bounded here, not flat.
        assertThat(heapGrowth).as("heap kept after the close").isLessThan(4 * 1024 * 1024);
        assertThat(directGrowth).as("direct memory kept after the close").isLessThanOrEqualTo(16 * 1024 * 1024);
    }

    @Test
    void theSocketMetricsOnThePrometheusEndpointCountWhatHappened() {
        String before = scrape();
        try (TestSocket socket = new TestSocket(url(activeKey()))) {
            subscribe(socket, 1);
            socket.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_subscribe\",\"params\":[\"logs\",{}]}");
            socket.await(m -> m.contains("\"id\":2,"));
            socket.send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"eth_chainId\",\"params\":[]}");
            socket.await(m -> m.contains("\"id\":3,"));

            String during = scrape();
            assertThat(sample(during, "relaygate_websocket_sockets")).isGreaterThanOrEqualTo(1);
            assertThat(sample(during, "relaygate_websocket_subscriptions{type=\"newHeads\"}")).isGreaterThanOrEqualTo(1);
            assertThat(sample(during, "relaygate_websocket_subscriptions{type=\"logs\"}")).isGreaterThanOrEqualTo(1);
            assertThat(sample(during, "relaygate_websocket_subscriptions{type=\"newPendingTransactions\"}")).isZero();
            String in = "relaygate_websocket_messages_total{direction=\"in\"}";
            String out = "relaygate_websocket_messages_total{direction=\"out\"}";
            assertThat(sample(during, in) - sample(before, in)).isGreaterThanOrEqualTo(3);
            assertThat(sample(during, out) - sample(before, out)).isGreaterThanOrEqualTo(3);
            assertThat(sample(during, "relaygate_websocket_closes_total{reason=\"slow_consumer\"}"))
                .isEqualTo(closes("slow_consumer"));
        }
    }

    private String scrape() {
        return org.springframework.web.reactive.function.client.WebClient.create()
            .get().uri("http://127.0.0.1:" + managementPort + "/actuator/prometheus")
            .retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));
    }

    /** The value of one series of a Prometheus scrape ({@code name} or {@code name{tags}}). */
    private static double sample(String scrape, String series) {
        Matcher value = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        assertThat(value.find()).as("%s in the scrape", series).isTrue();
        return Double.parseDouble(value.group(1));
    }

    /**
     * Mines in rounds of 50 blocks until the gateway has closed the stalled socket; returns the bytes of heads that
     * were due to it by then (every head of the chain, as a listening client of its own sees them).
     */
    private long mineUntilSlowConsumerClosed(double slowBefore) {
        long due = 0;
        try (TestSocket listener = new TestSocket(url(activeKey()))) {
            String id = subscribe(listener, 1);
            for (int round = 0; round < 400 && closes("slow_consumer") == slowBefore; round++) {
                long last = NODE.blockNumber() + 50;
                NODE.mine(50);
                String lastHead = awaitHead(listener, id, last);
                due += 50L * lastHead.length();
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> closes("slow_consumer") == slowBefore + 1);
        return due;
    }

    private TestSocket answering(String key) {
        TestSocket socket = new TestSocket(url(key));
        socket.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}");
        assertThat(socket.await(m -> m.contains("\"id\":1,"))).contains("\"result\":\"0x7a69\"");
        return socket;
    }

    private static String callOfSize(int id, int bytes) {
        String call = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"eth_chainId\",\"params\":[]}";
        // Trailing white space is still JSON.
        return call + " ".repeat(bytes - call.length());
    }

    private static String subscribe(TestSocket socket, int id) {
        socket.send("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"eth_subscribe\",\"params\":[\"newHeads\"]}");
        String answer = socket.await(m -> m.startsWith("{\"jsonrpc\":\"2.0\",\"id\":" + id + ","));
        Matcher result = RESULT.matcher(answer);
        assertThat(result.find()).as(answer).isTrue();
        return result.group(1);
    }

    private static String awaitHead(TestSocket socket, String subscription, long number) {
        return socket.await(m -> m.contains("\"subscription\":\"" + subscription + "\"") && headNumber(m) == number);
    }

    private static long headNumber(String notification) {
        Matcher number = HEAD_NUMBER.matcher(notification);
        return number.find() ? Long.parseLong(number.group(1), 16) : -1;
    }

    private double closes(String reason) {
        return meters.get("relaygate.websocket.closes").tag("reason", reason).counter().count();
    }

    private static long heapAfterCollection() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The direct memory Netty's default allocator holds (the gateway's and this test's clients', one JVM). */
    private static long directMemory() {
        return ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider
                ? provider.metric().usedDirectMemory() : 0;
    }

    private String url(String key) {
        return "ws://127.0.0.1:" + port + "/v1/anvil-ws/" + key;
    }

    private String httpUrl(String key) {
        return "http://127.0.0.1:" + port + "/v1/anvil-ws/" + key;
    }
}
