package dev.relaygate.gateway.upstream;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

import dev.relaygate.gateway.hotpath.HeaderNames;
import dev.relaygate.gateway.ratelimit.MethodWeights;
import dev.relaygate.gateway.testsupport.GatewayIntegrationTest;
import dev.relaygate.gateway.usage.UsageStreamEntries;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The response cache through the whole gateway, with a WireMock upstream whose finalized block is 100 (0x64): what
 * reaches the upstream (WireMock's request count), what the caller gets back, byte for byte, and what is metered.
 */
// Closed after the class: with the cache on, its finalized-head checks would keep polling the shared upstream and
// move the request counts of every later test.
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class ResponseCacheGatewayIT extends GatewayIntegrationTest {

    private static final WireMockServer NODE = started();

    private static final String PATH = "/rpc";

    private static final String RECEIPT = "{\"blockNumber\":\"0x10\",\"status\":\"0x1\",\"logs\":[]}";

    @Autowired
    private FinalizedHeads finalizedHeads;

    @Autowired
    private ResponseCache cache;

    @Autowired
    private MethodWeights weights;

    @DynamicPropertySource
    static void cachedChain(DynamicPropertyRegistry properties) {
        properties.add("relaygate.cache.enabled", () -> "true");
        properties.add("relaygate.chains[1].id", () -> "cached");
        properties.add("relaygate.chains[1].upstreams[0].url", () -> NODE.baseUrl() + PATH);
        properties.add("relaygate.chains[1].health.interval", () -> "200ms");
    }

    @BeforeEach
    void node() {
        NODE.resetAll();
        NODE.stubFor(post(PATH).withRequestBody(containing("\"finalized\""))
            .willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"number\":\"0x64\",\"hash\":\"0xf\"}}")));
        NODE.stubFor(post(PATH).withRequestBody(containing("eth_chainId"))
            .willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}")));
        NODE.stubFor(post(PATH).withRequestBody(containing("eth_getTransactionReceipt"))
            .willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + RECEIPT + "}")));
        NODE.stubFor(post(PATH).withRequestBody(containing("0xabove"))
            .willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"blockNumber\":\"0x65\"}}")));
        NODE.stubFor(post(PATH).withRequestBody(containing("0xunknown"))
            .willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}")));
        NODE.stubFor(post(PATH).withRequestBody(containing("\"0x70\""))
            .willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"number\":\"0x70\"}}")));
        NODE.stubFor(post(PATH).withRequestBody(containing("\"latest\""))
            .willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"number\":\"0x90\"}}")));
        NODE.stubFor(post(PATH).withRequestBody(containing("\"0x11\""))
            .willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,\"message\":\"boom\"}}")));
        await().atMost(Duration.ofSeconds(10)).until(() -> finalizedHeads.of("cached") == 100);
    }

    @ParameterizedTest(name = "id {0}")
    @ValueSource(strings = {"1", "\"abc\"", "\"\\u00e9\\ud800\"", "123456789012345678901234567890", "1.0E+2", "-0",
        "null"})
    void theSecondIdenticalCallIsNotRelayedAndIsAnsweredWithTheCallersIdByteForByte(String id) {
        String key = activeKey();
        String hash = newHash();

        EntityExchangeResult<byte[]> first = send(key, receipt("7", hash));
        EntityExchangeResult<byte[]> second = send(key, receipt(id, hash));

        assertThat(first.getResponseHeaders().getFirst(HeaderNames.CACHE)).isEqualTo("miss");
        assertThat(relayed(hash)).isEqualTo(1);
        assertThat(text(second)).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + RECEIPT + "}");
        assertThat(second.getResponseHeaders().getFirst(HeaderNames.CACHE)).isEqualTo("hit");
        assertThat(second.getResponseHeaders().getFirst(HeaderNames.UPSTREAM_ATTEMPTS)).isEqualTo("0");
        assertThat(second.getResponseHeaders().getFirst(HeaderNames.RATE_LIMIT_REMAINING)).isNotNull();
    }

    @Test
    void aBatchRelaysOnlyItsMissesAndAnswersInTheOrderOfItsCalls() {
        String key = activeKey();
        String cachedHash = newHash();
        send(key, receipt("1", cachedHash));
        String newHash = newHash();
        String blockNumber = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"eth_blockNumber\",\"params\":[]}";
        String newReceipt = "{\"jsonrpc\":\"2.0\",\"id\":\"d\",\"method\":\"eth_getTransactionReceipt\",\"params\":[\""
                + newHash + "\"]}";
        // The node gets the misses' bytes only, and answers them out of order.
        NODE.stubFor(post(PATH).withRequestBody(equalTo("[" + blockNumber + "," + newReceipt + "]"))
            .willReturn(okJson("[{\"jsonrpc\":\"2.0\",\"id\":\"d\",\"result\":" + RECEIPT + "},"
                    + "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"0x99\"}]")));
        String batch = "[{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"eth_chainId\",\"params\":[]},"
                + receipt("null", cachedHash) + "," + blockNumber + "," + newReceipt + ","
                + "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"eth_chainId\",\"params\":[]}]";
        send(key, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"eth_chainId\",\"params\":[]}");
        int chainIdsBefore = relayed("eth_chainId");

        EntityExchangeResult<byte[]> answer = send(key, batch);

        assertThat(text(answer)).isEqualTo("[{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"result\":\"0x1\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":" + RECEIPT + "},"
                + "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"0x99\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":\"d\",\"result\":" + RECEIPT + "},"
                + "{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":\"0x1\"}]");
        assertThat(answer.getResponseHeaders().getFirst(HeaderNames.CACHE)).isEqualTo("partial");
        assertThat(relayed(cachedHash)).as("the cached receipt").isEqualTo(1);
        assertThat(relayed("eth_chainId")).as("chain ids").isEqualTo(chainIdsBefore);
        assertThat(relayed(newHash)).as("the misses, once").isEqualTo(1);

        // The new receipt was stored from the batch answer: the whole batch is now a hit but for eth_blockNumber.
        assertThat(send(key, "[" + newReceipt + "]").getResponseHeaders().getFirst(HeaderNames.CACHE)).isEqualTo("hit");
        assertThat(relayed(newHash)).isEqualTo(1);
    }

    @Test
    void callsAboveTheFinalizedHeadNullResultsAndErrorsAreRelayedEveryTime() {
        String key = activeKey();
        String blockAbove = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBlockByNumber\",\"params\":[\"0x70\",false]}";
        String latest = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBlockByNumber\",\"params\":[\"latest\",false]}";
        String erroring = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBlockByNumber\",\"params\":[\"0x11\",false]}";
        for (int i = 0; i < 3; i++) {
            assertThat(send(key, blockAbove).getResponseHeaders().getFirst(HeaderNames.CACHE)).isNull();
            send(key, latest);
            assertThat(send(key, erroring).getResponseHeaders().getFirst(HeaderNames.CACHE)).isEqualTo("miss");
            assertThat(send(key, receipt("1", "0xabove")).getResponseHeaders().getFirst(HeaderNames.CACHE))
                .isEqualTo("miss");
            assertThat(text(send(key, receipt("1", "0xunknown")))).contains("\"result\":null");
        }

        assertThat(relayed("\"0x70\"")).isEqualTo(3);
        assertThat(relayed("\"latest\"")).isEqualTo(3);
        assertThat(relayed("\"0x11\"")).isEqualTo(3);
        assertThat(relayed("0xabove")).isEqualTo(3);
        assertThat(relayed("0xunknown")).isEqualTo(3);
    }

    @Test
    void uncacheableCallsAndHitsInMemoryNeverAskRedis() {
        NODE.stubFor(post(PATH).withRequestBody(containing("eth_blockNumber"))
            .willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x90\"}")));
        String key = activeKey();
        String chainId = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}";
        send(key, chainId);
        // A front miss asks Redis: the count below is read from a counter that moves.
        long beforeMiss = redisCalls("mget");
        send(key, receipt("1", newHash()));
        long lookupsBefore = redisCalls("mget");
        assertThat(lookupsBefore).isEqualTo(beforeMiss + 1);

        for (int i = 0; i < 10; i++) {
            assertThat(send(key, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}")
                .getResponseHeaders().getFirst(HeaderNames.CACHE)).isNull();
            assertThat(send(key, chainId).getResponseHeaders().getFirst(HeaderNames.CACHE)).isEqualTo("hit");
        }

        assertThat(redisCalls("mget")).isEqualTo(lookupsBefore);
        assertThat(relayed("eth_blockNumber")).isEqualTo(10);
    }

    @Test
    void aResultInRedisIsFoundWhenTheMemoryFrontHasLostIt() {
        String key = activeKey();
        String hash = newHash();
        send(key, receipt("1", hash));
        await().atMost(Duration.ofSeconds(10)).until(() -> SNAPSHOTS.redis()
            .exists("rg:cache:cached:eth_getTransactionReceipt:[\"" + hash + "\"]") == 1);

        cache.clearFront();
        EntityExchangeResult<byte[]> again = send(key, receipt("2", hash));

        assertThat(again.getResponseHeaders().getFirst(HeaderNames.CACHE)).isEqualTo("hit");
        assertThat(text(again)).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":" + RECEIPT + "}");
        assertThat(relayed(hash)).isEqualTo(1);
    }

    @Test
    void hitsAreMeteredAndRateLimitedLikeRelayedCalls() {
        long cost = weights.cost(MethodWeights.EVM, "eth_getTransactionReceipt");
        // Room for three calls (burst and minute band), then none for the rest of the test.
        PublishedKey key = keyOn(planWith(1, 3 * cost, 3 * cost));
        String hash = newHash();

        int[] statuses = new int[5];
        for (int i = 0; i < statuses.length; i++) {
            statuses[i] = client.post().uri("/v1/cached/" + key.secret())
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(receipt(Integer.toString(i), hash))
                .exchange()
                .returnResult(byte[].class).getStatus().value();
        }

        assertThat(statuses).containsExactly(200, 200, 200, 429, 429);
        assertThat(relayed(hash)).isEqualTo(1);
        Map<String, Long> expected = Map.of("ok.calls", 3L, "ok.cu", 3 * cost, "rate_limited.calls", 2L,
                "rate_limited.cu", 0L);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(UsageStreamEntries.totals(SNAPSHOTS.redis(), key.id())).isEqualTo(expected));
    }

    private EntityExchangeResult<byte[]> send(String key, String body) {
        return client.post().uri("/v1/cached/" + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchange()
            .expectStatus().isOk()
            .expectBody().returnResult();
    }

    private static String receipt(String id, String hash) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"eth_getTransactionReceipt\",\"params\":[\"" + hash
                + "\"]}";
    }

    /** How many times Redis ran {@code command} since it started ({@code INFO commandstats}). */
    private static long redisCalls(String command) {
        for (String line : SNAPSHOTS.redis().info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_" + command + ":")) {
                String calls = line.substring(line.indexOf("calls=") + 6);
                return Long.parseLong(calls.substring(0, calls.indexOf(',')));
            }
        }
        return 0;
    }

    /** Requests the node received whose body contains {@code text}. */
    private static int relayed(String text) {
        RequestPatternBuilder pattern = postRequestedFor(urlEqualTo(PATH)).withRequestBody(containing(text));
        return NODE.countRequestsMatching(pattern.build()).getCount();
    }

    private static String newHash() {
        return "0x" + UUID.randomUUID().toString().replace("-", "");
    }

    private static String text(EntityExchangeResult<byte[]> result) {
        return new String(result.getResponseBody(), StandardCharsets.UTF_8);
    }

    private static WireMockServer started() {
        WireMockServer server = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1")
            .dynamicPort());
        server.start();
        return server;
    }
}
