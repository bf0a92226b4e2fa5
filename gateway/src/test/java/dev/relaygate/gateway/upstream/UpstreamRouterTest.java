package dev.relaygate.gateway.upstream;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Fault;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.relaygate.gateway.config.UpstreamProperties;
import dev.relaygate.gateway.routing.ChainProperties;
import dev.relaygate.gateway.routing.UpstreamTier;
import dev.relaygate.gateway.testsupport.FreePorts;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The router against two WireMock upstreams, the primary failing in every way the issue lists: reads reach the
 * fallback; writes are never sent twice; budgets hold. Counts come from WireMock's request journal.
 */
class UpstreamRouterTest {

    private static final String READ = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_getBalance\",\"params\":[\"0x0\",\"latest\"]}";

    private static final String WRITE = "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"eth_sendRawTransaction\",\"params\":[\"0x02f8\"]}";

    private static final String PRIMARY_ANSWER = "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"0x1\"}";

    private static final String FALLBACK_ANSWER = "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"0x2\"}";

    private static final WireMockServer PRIMARY = new WireMockServer(
            WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());

    private static final WireMockServer FALLBACK = new WireMockServer(
            WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());

    private final UpstreamClient client = new UpstreamClient(new UpstreamProperties(64, Duration.ofSeconds(2),
            Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(30), 1 << 20));

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeAll
    static void startUpstreams() {
        PRIMARY.start();
        FALLBACK.start();
    }

    @AfterAll
    static void stopUpstreams() {
        PRIMARY.stop();
        FALLBACK.stop();
    }

    @BeforeEach
    void healthyFallback() {
        PRIMARY.resetAll();
        FALLBACK.resetAll();
        FALLBACK.stubFor(post("/").willReturn(okJson(FALLBACK_ANSWER)));
    }

    @AfterEach
    void closeClient() {
        client.close();
    }

    enum Broken {
        HTTP_502(aResponse().withStatus(502).withBody("bad gateway")),
        HTTP_503(aResponse().withStatus(503)),
        HTTP_429(aResponse().withStatus(429).withHeader("Retry-After", "30")),
        RATE_LIMIT_ERROR(okJson("{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-32005,\"message\":\"rate limit exceeded\"}}")),
        HEADER_NOT_FOUND(okJson("{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-32000,\"message\":\"header not found\"}}")),
        CONNECTION_RESET(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)),
        EMPTY_RESPONSE(aResponse().withFault(Fault.EMPTY_RESPONSE)),
        MALFORMED_CHUNK(aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK)),
        GARBAGE_THEN_CLOSE(aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE)),
        SLOWER_THAN_THE_TIMEOUT(okJson(PRIMARY_ANSWER).withFixedDelay(2_000));

        final ResponseDefinitionBuilder answer;

        Broken(ResponseDefinitionBuilder answer) {
            this.answer = answer;
        }
    }

    @ParameterizedTest
    @EnumSource(Broken.class)
    void aReadFailsOverToTheNextUpstream(Broken broken) {
        PRIMARY.stubFor(post("/").willReturn(broken.answer));
        UpstreamRouter router = router(primaryThenFallback(0), noHedging());

        Relayed relayed = router.relay("test", List.of("eth_getBalance"), bytes(READ)).block();

        assertThat(relayed.answered()).isTrue();
        assertThat(text(relayed.response().body())).isEqualTo(FALLBACK_ANSWER);
        assertThat(relayed.attempts()).isEqualTo(2);
        assertThat(requests(PRIMARY)).isEqualTo(1);
        assertThat(requests(FALLBACK)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(value = Broken.class, names = {"HTTP_502", "HTTP_503", "HTTP_429", "CONNECTION_RESET",
            "EMPTY_RESPONSE", "MALFORMED_CHUNK", "GARBAGE_THEN_CLOSE", "SLOWER_THAN_THE_TIMEOUT"})
    void aWriteIsNeverSentTwiceOnceItMayHaveLeft(Broken broken) {
        PRIMARY.stubFor(post("/").willReturn(broken.answer));
        UpstreamRouter router = router(primaryThenFallback(0), noHedging());

        Relayed relayed = router.relay("test", List.of("eth_sendRawTransaction"), bytes(WRITE)).block();

        assertThat(relayed.answered()).isFalse();
        assertThat(relayed.attempts()).isEqualTo(1);
        assertThat(requests(PRIMARY)).isEqualTo(1);
        assertThat(requests(FALLBACK)).isZero();
    }

    @Test
    void aWriteIsRelayedWithItsJsonRpcErrorAndNotResent() {
        String nonceTooLow = "{\"jsonrpc\":\"2.0\",\"id\":8,\"error\":{\"code\":-32000,\"message\":\"nonce too low\"}}";
        PRIMARY.stubFor(post("/").willReturn(okJson(nonceTooLow)));
        UpstreamRouter router = router(primaryThenFallback(0), noHedging());

        Relayed relayed = router.relay("test", List.of("eth_sendRawTransaction"), bytes(WRITE)).block();

        assertThat(text(relayed.response().body())).isEqualTo(nonceTooLow);
        assertThat(requests(FALLBACK)).isZero();
    }

    @Test
    void aWriteIsSentToTheNextUpstreamWhenTheConnectionWasRefused() throws Exception {
        ChainProperties.Upstream refusing = Upstreams.upstream("http://127.0.0.1:" + FreePorts.loopback() + "/",
                "refusing", 1, UpstreamTier.PRIMARY, 0, 0);
        UpstreamRouter router = router(List.of(refusing, fallback(0)), noHedging());

        Relayed relayed = router.relay("test", List.of("eth_sendRawTransaction"), bytes(WRITE)).block();

        assertThat(relayed.answered()).isTrue();
        assertThat(relayed.attempts()).isEqualTo(2);
        assertThat(requests(FALLBACK)).isEqualTo(1);
    }

    @Test
    void aBatchWithOneWriteIsTreatedAsAWrite() {
        PRIMARY.stubFor(post("/").willReturn(aResponse().withStatus(502)));
        UpstreamRouter router = router(primaryThenFallback(0), noHedging());

        Relayed relayed = router.relay("test", List.of("eth_getBalance", "eth_sendRawTransaction"),
                bytes("[" + READ + "," + WRITE + "]")).block();

        assertThat(relayed.answered()).isFalse();
        assertThat(requests(FALLBACK)).isZero();
    }

    @Test
    void aRateLimitedUpstreamIsLeftAloneForItsRetryAfter() {
        PRIMARY.stubFor(post("/").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "30")));
        UpstreamRouter router = router(primaryThenFallback(0), noHedging());

        for (int i = 0; i < 20; i++) {
            Relayed relayed = router.relay("test", List.of("eth_getBalance"), bytes(READ)).block();
            assertThat(relayed.answered()).isTrue();
        }

        assertThat(requests(PRIMARY)).isEqualTo(1);
        assertThat(requests(FALLBACK)).isEqualTo(20);
        assertThat(meters.counter(UpstreamRouter.ATTEMPTS_METRIC, "chain", "test", "upstream", "primary",
                "outcome", "rate_limited").count()).isEqualTo(1);
    }

    @Test
    void neverSendsBeyondAnUpstreamsBudgetAndMovesTheRestElsewhere() {
        PRIMARY.stubFor(post("/").willReturn(okJson(PRIMARY_ANSWER)));
        UpstreamRouter router = router(List.of(
                Upstreams.upstream(PRIMARY.baseUrl() + "/", "primary", 1, UpstreamTier.PRIMARY, 10, 0),
                fallback(0)), noHedging(), Upstreams.retry(Duration.ofSeconds(20), 3, Duration.ofSeconds(10)));
        long started = System.nanoTime();

        List<Relayed> all = Flux.range(0, 200)
            .flatMap(i -> router.relay("test", List.of("eth_getBalance"), bytes(READ)), 32)
            .collectList()
            .block();

        double seconds = (System.nanoTime() - started) / 1e9;
        assertThat(all).allMatch(Relayed::answered);
        // One second's worth at once, then 10 per second.
        assertThat(requests(PRIMARY)).isLessThanOrEqualTo(10 + (int) Math.ceil(10 * seconds));
        assertThat(requests(PRIMARY) + requests(FALLBACK)).isEqualTo(200);
    }

    @Test
    void answersNothingWhenNoUpstreamHasBudget() {
        UpstreamRouter router = router(List.of(
                Upstreams.upstream(PRIMARY.baseUrl() + "/", "primary", 1, UpstreamTier.PRIMARY, 1, 0)),
                noHedging());
        PRIMARY.stubFor(post("/").willReturn(okJson(PRIMARY_ANSWER)));

        Relayed first = router.relay("test", List.of("eth_getBalance"), bytes(READ)).block();
        Relayed second = router.relay("test", List.of("eth_getBalance"), bytes(READ)).block();

        assertThat(first.answered()).isTrue();
        assertThat(second).isEqualTo(new Relayed(null, 0));
        assertThat(requests(PRIMARY)).isEqualTo(1);
    }

    @Test
    void givesUpAtTheDeadline() {
        PRIMARY.stubFor(post("/").willReturn(okJson(PRIMARY_ANSWER).withFixedDelay(10_000)));
        FALLBACK.stubFor(post("/").willReturn(okJson(FALLBACK_ANSWER).withFixedDelay(10_000)));
        UpstreamRouter router = router(primaryThenFallback(0), noHedging(),
                Upstreams.retry(Duration.ofMillis(400), 3, Duration.ofMillis(250)));
        long started = System.nanoTime();

        Relayed relayed = router.relay("test", List.of("eth_getBalance"), bytes(READ)).block();

        assertThat(relayed.answered()).isFalse();
        assertThat(relayed.attempts()).isEqualTo(2);
        // Far below the upstreams' 10 s: the 400 ms deadline ended it (wide, so that a loaded machine cannot fail it).
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
    }

    @Test
    void relaysTheLastNodeAnswerWhenEveryUpstreamLacksTheBlock() {
        String missing = "{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-32000,\"message\":\"header not found\"}}";
        PRIMARY.stubFor(post("/").willReturn(okJson(missing)));
        FALLBACK.stubFor(post("/").willReturn(okJson(missing)));
        UpstreamRouter router = router(primaryThenFallback(0), noHedging());

        Relayed relayed = router.relay("test", List.of("eth_getBalance"), bytes(READ)).block();

        assertThat(text(relayed.response().body())).isEqualTo(missing);
        assertThat(relayed.attempts()).isEqualTo(2);
    }

    @Test
    void takesTheLongerTimeoutOfTheMethodsClass() {
        PRIMARY.stubFor(post("/").withRequestBody(containing("eth_getLogs"))
            .willReturn(okJson(PRIMARY_ANSWER).withFixedDelay(500)));
        UpstreamRouter router = router(primaryThenFallback(0), noHedging(), new ChainProperties.Retry(
                Duration.ofSeconds(5), 3, Duration.ofMillis(200), ChainProperties.Retry.DEFAULT_METHOD_TIMEOUTS));

        Relayed relayed = router.relay("test", List.of("eth_getLogs"),
                bytes("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_getLogs\",\"params\":[{}]}")).block();

        assertThat(text(relayed.response().body())).isEqualTo(PRIMARY_ANSWER);
        assertThat(requests(FALLBACK)).isZero();
    }

    @Test
    void hedgesASlowReadToASecondUpstreamAndCancelsTheLoserWhenItsGraceEnds() {
        PRIMARY.stubFor(post("/").willReturn(okJson(PRIMARY_ANSWER).withFixedDelay(10_000)));
        UpstreamRouter router = router(List.of(
                Upstreams.upstream(PRIMARY.baseUrl() + "/", "primary", 1, UpstreamTier.PRIMARY, 0, 0),
                Upstreams.upstream(FALLBACK.baseUrl() + "/", "fallback", 1, UpstreamTier.FALLBACK, 0, 0)),
                Upstreams.hedgingAfter(Duration.ofMillis(50), Duration.ofMillis(500), 0.1),
                Upstreams.retry(Duration.ofSeconds(12), 3, Duration.ofSeconds(8)));
        long started = System.nanoTime();

        Relayed relayed = router.relay("test", List.of("eth_getBalance"), bytes(READ)).block();

        // The primary would answer after 10 s, and its attempt times out after 8 s: the fallback's answer before
        // either proves the hedge won (wide bounds, so that a loaded machine cannot fail it; the hedge is at 50 ms).
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
        assertThat(text(relayed.response().body())).isEqualTo(FALLBACK_ANSWER);
        assertThat(relayed.attempts()).isEqualTo(2);
        assertThat(meters.counter(UpstreamRouter.HEDGES_METRIC, "chain", "test").count()).isEqualTo(1);
        // The loser may run on for its 500 ms grace, then it is cancelled (HedgingTest shows a loser that finishes
        // within the grace keeping its connection).
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(meters.counter(
                UpstreamRouter.ATTEMPTS_METRIC, "chain", "test", "upstream", "primary", "outcome", "cancelled").count())
            .isEqualTo(1));
    }

    @Test
    void neverHedgesAWrite() {
        PRIMARY.stubFor(post("/").willReturn(okJson(PRIMARY_ANSWER).withFixedDelay(300)));
        UpstreamRouter router = router(primaryThenFallback(0), Upstreams.hedgingAfter(Duration.ofMillis(20)));

        Relayed relayed = router.relay("test", List.of("eth_sendRawTransaction"), bytes(WRITE)).block();

        assertThat(text(relayed.response().body())).isEqualTo(PRIMARY_ANSWER);
        assertThat(requests(FALLBACK)).isZero();
    }

    @Test
    void aDeadUpstreamIsEjectedAndStopsCostingLatency() throws Exception {
        ChainProperties.Upstream refusing = Upstreams.upstream("http://127.0.0.1:" + FreePorts.loopback() + "/", "dead",
                1, UpstreamTier.PRIMARY, 0, 0);
        UpstreamRouter router = router(List.of(refusing, fallback(0)), noHedging());

        List<Integer> attempts = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            attempts.add(router.relay("test", List.of("eth_getBalance"), bytes(READ)).block().attempts());
        }

        // Three failures in a row eject it for a second: afterwards every call goes straight to the fallback.
        assertThat(attempts.subList(3, 10)).containsOnly(1);
    }

    private List<ChainProperties.Upstream> primaryThenFallback(long fallbackRequestsPerSecond) {
        return List.of(Upstreams.upstream(PRIMARY.baseUrl() + "/", "primary", 1, UpstreamTier.PRIMARY, 0, 0),
                fallback(fallbackRequestsPerSecond));
    }

    private static ChainProperties.Upstream fallback(long requestsPerSecond) {
        return Upstreams.upstream(FALLBACK.baseUrl() + "/", "fallback", 1, UpstreamTier.FALLBACK, requestsPerSecond,
                0);
    }

    private static ChainProperties.Hedging noHedging() {
        return Upstreams.noHedging();
    }

    private UpstreamRouter router(List<ChainProperties.Upstream> upstreams, ChainProperties.Hedging hedging) {
        return router(upstreams, hedging, Upstreams.retry(Duration.ofSeconds(5), 3, Duration.ofMillis(500)));
    }

    private UpstreamRouter router(List<ChainProperties.Upstream> upstreams, ChainProperties.Hedging hedging,
            ChainProperties.Retry retry) {
        ChainProperties chains = new ChainProperties(List.of(Upstreams.chain("test", upstreams, retry, hedging)));
        return new UpstreamRouter(chains, client, (family, methods) -> methods.size(), meters, System::nanoTime,
                new Random(17));
    }

    private static int requests(WireMockServer server) {
        return server.findAll(postRequestedFor(urlEqualTo("/"))).size();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
