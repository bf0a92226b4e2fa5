package dev.relaygate.gateway.hotpath;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.node.ObjectNode;

import dev.relaygate.gateway.testsupport.AnvilNode;
import dev.relaygate.gateway.testsupport.GatewayIntegrationTest;
import dev.relaygate.gateway.testsupport.Snapshots;
import dev.relaygate.gateway.testsupport.TestKeys;
import dev.relaygate.gateway.usage.UsageStreamEntries;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * JSON-RPC over WebSocket (issue #20) against the whole gateway and two real Anvil nodes on one chain, each with its
 * WebSocket endpoint: the upgrade is decided like a POST, calls and batches on the socket are checked, limited and
 * relayed like POSTs, {@code newHeads} subscriptions share one upstream subscription under the gateway's own ids, a
 * revoked key's socket closes within 1 s, and killing the node that holds the subscription loses no head.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebSocketIT extends GatewayIntegrationTest {

    private static final AnvilNode FIRST = AnvilNode.start();

    private static final AnvilNode SECOND = AnvilNode.start();

    private static final Pattern HEAD_NUMBER = Pattern.compile("\"number\":\"0x([0-9a-f]+)\"");

    private static final Pattern SUBSCRIPTION = Pattern.compile("\"subscription\":\"(0x[0-9a-f]+)\"");

    private static final Pattern RESULT = Pattern.compile("\"result\":\"(0x[0-9a-f]+)\"");

    @LocalServerPort
    private int port;

    @Autowired
    private MeterRegistry meters;

    @DynamicPropertySource
    static void anvilChain(DynamicPropertyRegistry properties) {
        properties.add("relaygate.chains[1].id", () -> "anvil-ws");
        properties.add("relaygate.chains[1].upstreams[0].url", FIRST::url);
        properties.add("relaygate.chains[1].upstreams[0].ws-url", FIRST::wsUrl);
        properties.add("relaygate.chains[1].upstreams[1].url", SECOND::url);
        properties.add("relaygate.chains[1].upstreams[1].ws-url", SECOND::wsUrl);
        properties.add("relaygate.chains[1].health.interval", () -> "200ms");
        properties.add("relaygate.chains[1].hedging.enabled", () -> "false");
        // Far below the ping interval (30 s): an idle socket outlives the HTTP server's read timeout.
        properties.add("relaygate.server.read-timeout", () -> "1s");
        // Not the defaults, to show the weights are the configured ones.
        properties.add("relaygate.websocket.notification-weights.logs", () -> "7");
        properties.add("relaygate.websocket.notification-weights.newPendingTransactions", () -> "3");
    }

    @AfterAll
    static void stopAnvil() {
        FIRST.close();
        SECOND.close();
    }

    @Test
    @Order(1)
    void anUpgradeWithABadKeyIsRefusedWithTheHttpJsonRpcError() {
        String revoked = TestKeys.newKey();
        ObjectNode snapshot = Snapshots.keySnapshot(TestKeys.sha256(revoked));
        snapshot.put("status", "revoked");
        publishKey(snapshot);

        for (String key : List.of("rgk_notakey", TestKeys.newKey(), revoked)) {
            TestSocket.Refusal refusal = upgrade("/v1/anvil-ws/" + key);
            assertThat(refusal.status()).as("no upgrade (101) for %s", key).isEqualTo(401);
            assertThat(refusal.body()).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32001,"
                    + "\"message\":\"unauthorized\"}}");
        }
        assertThat(upgrade("/v1/nochain/" + activeKey()).status()).isEqualTo(404);
    }

    @Test
    @Order(2)
    void aCallAndABatchOnTheSocketAreAnsweredLikePosts() {
        try (TestSocket socket = new TestSocket(url(activeKey()))) {
            socket.send("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_chainId\",\"params\":[]}");
            assertThat(socket.await(m -> m.contains("\"id\":7")))
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"0x7a69\"}");

            socket.send("[{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"eth_chainId\",\"params\":[]},"
                    + "{\"jsonrpc\":\"2.0\",\"id\":\"b\",\"method\":\"net_version\",\"params\":[]},"
                    + "{\"jsonrpc\":\"2.0\",\"id\":\"c\",\"method\":\"debug_traceTransaction\",\"params\":[]}]");
            String batch = socket.await(m -> m.startsWith("["));
            assertThat(batch).contains("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"result\":\"0x7a69\"}")
                .contains("\"id\":\"b\",\"result\":\"31337\"")
                .contains("{\"jsonrpc\":\"2.0\",\"id\":\"c\",\"error\":{\"code\":-32601");

            socket.send("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"eth_subscribe\",\"params\":[\"newBlocks\"]}");
            assertThat(socket.await(m -> m.contains("\"id\":8"))).contains("\"code\":-32602");
            socket.send("not json");
            assertThat(socket.await(m -> m.contains("-32700"))).contains("\"id\":null");
            assertThat(socket.closeStatus()).as("the socket stays open").isNull();
        }
    }

    @Test
    @Order(2)
    void anIdleSocketOutlivesTheHttpServersReadTimeout() {
        try (TestSocket socket = new TestSocket(url(activeKey()))) {
            socket.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}");
            socket.await(m -> m.contains("\"id\":1,"));
            // Nothing read for three read timeouts, and no ping yet (every 30 s).
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> socket.closeStatus() == null);
            socket.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_chainId\",\"params\":[]}");
            assertThat(socket.await(m -> m.contains("\"id\":2,"))).contains("\"result\":\"0x7a69\"");
        }
    }

    @Test
    @Order(3)
    void twoNewHeadsSubscriptionsShareOneUpstreamSubscriptionUnderTheGatewaysIds() {
        double upstreamBefore = meters.get("relaygate.websocket.upstream.subscriptions").gauge().value();
        try (TestSocket one = new TestSocket(url(activeKey())); TestSocket two = new TestSocket(url(activeKey()))) {
            String first = subscribe(one, 1);
            String second = subscribe(two, 2);
            assertThat(first).matches("0x[0-9a-f]{32}").isNotEqualTo(second);
            assertThat(second).matches("0x[0-9a-f]{32}");
            assertThat(meters.get("relaygate.websocket.upstream.subscriptions").gauge().value())
                .as("one upstream subscription for both").isEqualTo(upstreamBefore + 1);
            assertThat(meters.get("relaygate.websocket.subscriptions").tag("type", "newHeads").gauge().value())
                .isEqualTo(2);

            long start = FIRST.blockNumber();
            mineBoth(3);

            for (TestSocket socket : List.of(one, two)) {
                String id = socket == one ? first : second;
                List<Long> heads = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    String notification = socket.await(m -> m.contains("eth_subscription"));
                    assertThat(notification).contains("\"subscription\":\"" + id + "\"");
                    heads.add(headNumber(notification));
                }
                assertThat(heads).containsExactly(start + 1, start + 2, start + 3);
            }

            one.send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"eth_unsubscribe\",\"params\":[\"" + first + "\"]}");
            assertThat(one.await(m -> m.contains("\"id\":3"))).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":true}");
        }
        await().atMost(Duration.ofSeconds(5)).until(() ->
                meters.get("relaygate.websocket.upstream.subscriptions").gauge().value() == upstreamBefore);
    }

    @Test
    @Order(4)
    void aCallOverTheLimitGetsTheRateLimitErrorWithItsIdAndTheSocketStaysOpen() {
        PublishedKey key = keyOn(planWith(1, 2, 60));
        try (TestSocket socket = new TestSocket(url(key.secret()))) {
            for (int id = 1; id <= 6; id++) {
                socket.send("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"eth_chainId\",\"params\":[]}");
            }
            List<String> answers = new ArrayList<>();
            for (int id = 1; id <= 6; id++) {
                String expected = "\"id\":" + id + ",";
                answers.add(socket.await(m -> m.contains(expected)));
            }
            assertThat(answers).filteredOn(a -> a.contains("\"result\":\"0x7a69\"")).isNotEmpty();
            List<String> refused = answers.stream().filter(a -> a.contains("\"code\":-32005")).toList();
            assertThat(refused).hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(a -> assertThat(a).contains("\"message\":\"rate limit exceeded\"", "retryAfterSeconds"));

            socket.send("[{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"eth_chainId\",\"params\":[]},"
                    + "{\"jsonrpc\":\"2.0\",\"id\":\"y\",\"method\":\"eth_chainId\",\"params\":[]},"
                    + "{\"jsonrpc\":\"2.0\",\"id\":\"z\",\"method\":\"eth_chainId\",\"params\":[]}]");
            String batch = socket.await(m -> m.startsWith("["));
            assertThat(batch).as("a batch over the limit: each call refused with its own id")
                .contains("\"id\":\"x\",\"error\":{\"code\":-32005", "\"id\":\"y\",\"error\":{\"code\":-32005",
                        "\"id\":\"z\",\"error\":{\"code\":-32005");

            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                socket.send("{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"eth_chainId\",\"params\":[]}");
                assertThat(socket.await(m -> m.contains("\"id\":99,"))).contains("\"result\":\"0x7a69\"");
            });
            assertThat(socket.closeStatus()).isNull();
        }
    }

    @Test
    @Order(5)
    void revokingTheKeyClosesItsOpenSocketWithinOneSecond() {
        String key = TestKeys.newKey();
        ObjectNode snapshot = Snapshots.keySnapshot(TestKeys.sha256(key));
        publishKey(snapshot);
        try (TestSocket socket = new TestSocket(url(key))) {
            subscribe(socket, 1);

            snapshot.put("status", "revoked").put("version", snapshot.get("version").asLong() + 1);
            publishKey(snapshot);
            long announced = System.nanoTime();
            SNAPSHOTS.announceKey(snapshot);

            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(5))
                .until(() -> socket.closeStatus() != null);
            long tookMillis = Duration.ofNanos(System.nanoTime() - announced).toMillis();
            assertThat(socket.closeStatus().code()).isEqualTo(4001);
            assertThat(tookMillis).isLessThan(1000);
        }
        assertThat(upgrade("/v1/anvil-ws/" + key).status()).isEqualTo(401);
    }

    @Test
    @Order(6)
    void aLogsSubscriptionDeliversTheContractsEventsEachMeteredAtTheLogsWeight() {
        String topic = FIRST.keccak("Pinged(uint256)");
        // The same transactions on both nodes keep them at the same height (and the contract at the same address).
        String contract = FIRST.deployLogEmitter(topic);
        assertThat(SECOND.deployLogEmitter(topic)).isEqualTo(contract);
        PublishedKey key = keyOn(planWith(1000, 100_000, 1_000_000));
        try (TestSocket socket = new TestSocket(url(key.secret()))) {
            socket.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_subscribe\",\"params\":[\"logs\","
                    + "{\"address\":\"" + contract + "\",\"topics\":[\"" + topic + "\"]}]}");
            String id = subscriptionId(socket.await(m -> m.contains("\"id\":1,")));

            List<String> transactions = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                transactions.add(FIRST.callContract(contract));
                SECOND.callContract(contract);
            }
            for (String transaction : transactions) {
                String log = socket.await(m -> m.contains("\"transactionHash\":\"" + transaction + "\""));
                assertThat(log).startsWith("{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":"
                        + "{\"subscription\":\"" + id + "\",\"result\":{")
                    .containsIgnoringCase("\"address\":\"" + contract + "\"")
                    .contains("\"topics\":[\"" + topic + "\"]", "\"removed\":false");
            }
        }
        Map<String, Long> expected = Map.of("eth_subscription:logs.calls", 2L, "eth_subscription:logs.cu", 2L * 7);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(UsageStreamEntries.okByMethod(SNAPSHOTS.redis(), key.id())).containsAllEntriesOf(expected));
    }

    @Test
    @Order(7)
    void aNewPendingTransactionsSubscriptionDeliversTheHashOfATransactionSentMeteredAtItsWeight() {
        PublishedKey key = keyOn(planWith(1000, 100_000, 1_000_000));
        FIRST.automine(false);
        SECOND.automine(false);
        try (TestSocket socket = new TestSocket(url(key.secret()))) {
            socket.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_subscribe\","
                    + "\"params\":[\"newPendingTransactions\"]}");
            String id = subscriptionId(socket.await(m -> m.contains("\"id\":1,")));

            String transaction = FIRST.transfer();
            assertThat(SECOND.transfer()).isEqualTo(transaction);

            assertThat(socket.await(m -> m.contains("eth_subscription"))).isEqualTo("{\"jsonrpc\":\"2.0\","
                    + "\"method\":\"eth_subscription\",\"params\":{\"subscription\":\"" + id + "\",\"result\":\""
                    + transaction + "\"}}");
        }
        finally {
            FIRST.automine(true);
            SECOND.automine(true);
            mineBoth(1);
        }
        Map<String, Long> expected = Map.of("eth_subscription:newPendingTransactions.calls", 1L,
                "eth_subscription:newPendingTransactions.cu", 3L);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(UsageStreamEntries.okByMethod(SNAPSHOTS.redis(), key.id())).containsAllEntriesOf(expected));
    }

    @Test
    @Order(8)
    void whenTheUpstreamHoldingTheSubscriptionDiesHeadsContinueOnTheOtherWithoutAGapOrADuplicate() {
        try (TestSocket socket = new TestSocket(url(activeKey()))) {
            String id = subscribe(socket, 1);
            long start = FIRST.blockNumber();
            assertThat(SECOND.blockNumber()).isEqualTo(start);
            mineBoth(2);
            awaitHead(socket, start + 2);

            // The subscription is held on the first upstream (the first usable one with a WebSocket endpoint).
            // Blocks mined while the subscription moves: live once it has moved, else fetched when it has.
            FIRST.kill();
            SECOND.mine(3);
            awaitHead(socket, start + 5);
            SECOND.mine(1);
            awaitHead(socket, start + 6);

            List<String> heads = socket.all(m -> m.contains("eth_subscription"));
            List<Long> numbers = heads.stream().map(WebSocketIT::headNumber).toList();
            assertThat(numbers).as("every block once, in order, live or backfilled")
                .containsExactly(start + 1, start + 2, start + 3, start + 4, start + 5, start + 6);
            assertThat(heads).allSatisfy(h -> assertThat(h).contains("\"subscription\":\"" + id + "\""));
            assertThat(socket.all(m -> m.contains("relaygate_subscriptionGap"))).isEmpty();
        }
    }

    private static void awaitHead(TestSocket socket, long number) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(() ->
                !socket.all(m -> m.contains("eth_subscription") && headNumber(m) == number).isEmpty());
    }

    private static void mineBoth(int blocks) {
        FIRST.mine(blocks);
        SECOND.mine(blocks);
    }

    private static String subscribe(TestSocket socket, int id) {
        socket.send("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"eth_subscribe\",\"params\":[\"newHeads\"]}");
        String answer = socket.await(m -> m.startsWith("{\"jsonrpc\":\"2.0\",\"id\":" + id + ","));
        Matcher result = RESULT.matcher(answer);
        assertThat(result.find()).as(answer).isTrue();
        return result.group(1);
    }

    private static String subscriptionId(String answer) {
        Matcher result = RESULT.matcher(answer);
        assertThat(result.find()).as(answer).isTrue();
        return result.group(1);
    }

    private static long headNumber(String notification) {
        Matcher number = HEAD_NUMBER.matcher(notification);
        return number.find() ? Long.parseLong(number.group(1), 16) : -1;
    }

    private String url(String key) {
        return "ws://127.0.0.1:" + port + "/v1/anvil-ws/" + key;
    }

    private TestSocket.Refusal upgrade(String path) {
        return TestSocket.handshake("http://127.0.0.1:" + port + path);
    }
}
