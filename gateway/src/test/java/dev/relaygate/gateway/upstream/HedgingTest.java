package dev.relaygate.gateway.upstream;

import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.trafficlistener.WiremockNetworkTrafficListener;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

import dev.relaygate.gateway.config.UpstreamProperties;
import dev.relaygate.gateway.routing.ChainProperties;
import dev.relaygate.gateway.routing.UpstreamTier;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a hedge's loser costs (issue #17): a loser that finishes within its grace leaves its keep-alive connection in
 * the pool, one slower than the grace is cancelled when the grace ends, never after the deadline, and the hedging
 * budget caps the hedges when an upstream is slow all the time. Connections are counted where the upstream accepts
 * them (WireMock's network traffic listener), requests in WireMock's journal; Netty's leak detector runs at
 * {@code PARANOID} and must report nothing.
 */
class HedgingTest {

    private static final org.slf4j.Logger log = LoggerFactory.getLogger(HedgingTest.class);

    private static final String READ = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_getBalance\",\"params\":[\"0x0\",\"latest\"]}";

    private static final String PRIMARY_ANSWER = "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"0x1\"}";

    private static final String FALLBACK_ANSWER = "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"0x2\"}";

    private static final AtomicInteger PRIMARY_CONNECTIONS = new AtomicInteger();

    private static final WireMockServer PRIMARY = new WireMockServer(WireMockConfiguration.options()
        .bindAddress("127.0.0.1").dynamicPort().networkTrafficListener(new ConnectionCount(PRIMARY_CONNECTIONS)));

    private static final WireMockServer FALLBACK = new WireMockServer(
            WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());

    private static final ListAppender<ILoggingEvent> LEAKS = new ListAppender<>();

    private static ResourceLeakDetector.Level leakLevel;

    private final UpstreamClient client = new UpstreamClient(new UpstreamProperties(64, Duration.ofSeconds(2),
            Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(30), 1 << 20));

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeAll
    static void startUpstreamsAndWatchForLeaks() {
        PRIMARY.start();
        FALLBACK.start();
        leakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        Logger detector = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
        detector.setLevel(Level.ERROR);
        LEAKS.start();
        detector.addAppender(LEAKS);
    }

    @AfterAll
    static void stopUpstreams() {
        PRIMARY.stop();
        FALLBACK.stop();
        ResourceLeakDetector.setLevel(leakLevel);
        ((Logger) LoggerFactory.getLogger(ResourceLeakDetector.class)).detachAppender(LEAKS);
    }

    @BeforeEach
    void fastFallback() {
        PRIMARY.resetAll();
        FALLBACK.resetAll();
        PRIMARY_CONNECTIONS.set(0);
        FALLBACK.stubFor(post("/").willReturn(okJson(FALLBACK_ANSWER)));
    }

    @AfterEach
    void noBufferLeaked() {
        // A leaked buffer is reported when a later buffer is allocated after it was collected: collect, then
        // allocate through one more call.
        System.gc();
        PRIMARY.stubFor(post("/").willReturn(okJson(PRIMARY_ANSWER)));
        router(Upstreams.noHedging(), Upstreams.retry(Duration.ofSeconds(5), 1, Duration.ofSeconds(2)),
                new SimpleMeterRegistry()).relay("test", List.of("eth_getBalance"), bytes(READ)).block();
        client.close();
        assertThat(LEAKS.list).extracting(ILoggingEvent::getFormattedMessage).isEmpty();
    }

    @Test
    void aLoserThatFinishesWithinItsGraceLeavesItsConnectionInThePool() {
        PRIMARY.stubFor(post("/").willReturn(okJson(PRIMARY_ANSWER).withFixedDelay(150)));
        UpstreamRouter router = router(Upstreams.hedgingAfter(Duration.ofMillis(30), Duration.ofSeconds(2), 1.0),
                Upstreams.retry(Duration.ofSeconds(10), 3, Duration.ofSeconds(5)));
        int reads = 40;

        for (int i = 0; i < reads; i++) {
            Relayed relayed = router.relay("test", List.of("eth_getBalance"), bytes(READ)).block();
            assertThat(text(relayed.response().body())).isEqualTo(FALLBACK_ANSWER);
        }

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(attempts("primary", "ok"))
            .isEqualTo(reads));
        assertThat(meters.counter(UpstreamRouter.HEDGES_METRIC, "chain", "test").count()).isEqualTo(reads);
        assertThat(attempts("primary", "cancelled")).isZero();
        // Each read hedges after 30 ms and the primary holds its call for 150 ms: a handful of calls overlap, and
        // their connections serve the reads that follow. Cancelled losers would have cost one connection each.
        log.info("{} hedged reads, losers finishing within the grace: {} connections to the primary", reads,
                PRIMARY_CONNECTIONS.get());
        assertThat(PRIMARY_CONNECTIONS.get()).isLessThanOrEqualTo(reads / 4);
    }

    @Test
    void aLoserCancelledAtOnceCostsItsConnection() {
        PRIMARY.stubFor(post("/").willReturn(okJson(PRIMARY_ANSWER).withFixedDelay(150)));
        UpstreamRouter router = router(Upstreams.hedgingAfter(Duration.ofMillis(30), Duration.ZERO, 1.0),
                Upstreams.retry(Duration.ofSeconds(10), 3, Duration.ofSeconds(5)));
        int reads = 20;

        for (int i = 0; i < reads; i++) {
            router.relay("test", List.of("eth_getBalance"), bytes(READ)).block();
        }

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(attempts("primary", "cancelled"))
            .isEqualTo(reads));
        assertThat(attempts("primary", "ok")).isZero();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(PRIMARY_CONNECTIONS.get())
            .isEqualTo(reads));
        log.info("{} hedged reads, losers cancelled at once: {} connections to the primary", reads,
                PRIMARY_CONNECTIONS.get());
    }

    @Test
    void aLoserSlowerThanItsGraceIsCancelledWhenTheGraceEnds() {
        PRIMARY.stubFor(post("/").willReturn(okJson(PRIMARY_ANSWER).withFixedDelay(10_000)));
        Duration grace = Duration.ofMillis(800);
        UpstreamRouter router = router(Upstreams.hedgingAfter(Duration.ofMillis(50), grace, 1.0),
                Upstreams.retry(Duration.ofSeconds(12), 3, Duration.ofSeconds(8)));

        Relayed relayed = router.relay("test", List.of("eth_getBalance"), bytes(READ)).block();
        long answered = System.nanoTime();

        assertThat(text(relayed.response().body())).isEqualTo(FALLBACK_ANSWER);
        assertThat(attempts("primary", "cancelled")).isZero();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(attempts("primary", "cancelled"))
            .isEqualTo(1));
        // Not before the grace (the answer came a little after the race was decided, hence the margin).
        assertThat(Duration.ofNanos(System.nanoTime() - answered)).isGreaterThan(grace.minusMillis(100));
        assertThat(router.nodes("test").get(0).inFlight()).isZero();

        // The cancelled call's connection was closed, not pooled: the next call to the primary opens another.
        PRIMARY.stubFor(post("/").willReturn(okJson(PRIMARY_ANSWER)));
        router.relay("test", List.of("eth_getBalance"), bytes(READ)).block();
        assertThat(PRIMARY_CONNECTIONS.get()).isEqualTo(2);
    }

    @Test
    void aLoserNeverRunsPastTheRequestsDeadline() {
        PRIMARY.stubFor(post("/").willReturn(okJson(PRIMARY_ANSWER).withFixedDelay(10_000)));
        UpstreamRouter router = router(Upstreams.hedgingAfter(Duration.ofMillis(50), Duration.ofSeconds(30), 1.0),
                Upstreams.retry(Duration.ofSeconds(1), 3, Duration.ofSeconds(30)));
        long started = System.nanoTime();

        Relayed relayed = router.relay("test", List.of("eth_getBalance"), bytes(READ)).block();

        assertThat(text(relayed.response().body())).isEqualTo(FALLBACK_ANSWER);
        await().atMost(Duration.ofSeconds(6)).until(() -> router.nodes("test").get(0).inFlight() == 0);
        // Ended by the 1 s deadline, far from the 30 s grace and the primary's 10 s.
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(7));
        assertThat(attempts("primary", "ok")).isZero();
    }

    @Test
    void theBudgetCapsHedgesWhenAnUpstreamIsSlowAllTheTime() {
        PRIMARY.stubFor(post("/").willReturn(okJson(PRIMARY_ANSWER).withFixedDelay(80)));
        UpstreamRouter router = router(Upstreams.hedgingAfter(Duration.ofMillis(10), Duration.ofSeconds(2), 0.1),
                Upstreams.retry(Duration.ofSeconds(10), 3, Duration.ofSeconds(5)));
        int reads = 200;

        List<Relayed> all = Flux.range(0, reads)
            .flatMap(i -> router.relay("test", List.of("eth_getBalance"), bytes(READ)), 8)
            .collectList()
            .block();

        assertThat(all).allMatch(Relayed::answered);
        // A full budget (a tenth of 100 reads) and a tenth of each read: every read passed the hedging delay, at
        // most 30 of them were hedged, and the fallback received no more than that.
        double hedges = meters.counter(UpstreamRouter.HEDGES_METRIC, "chain", "test").count();
        double skipped = meters.counter(UpstreamRouter.HEDGES_SKIPPED_METRIC, "chain", "test").count();
        assertThat(hedges).isBetween(10.0, 30.0);
        assertThat(skipped).isGreaterThanOrEqualTo(150);
        log.info("{} reads, each slower than the hedging delay, max-ratio 0.1: {} hedged, {} refused by the budget",
                reads, (int) hedges, (int) skipped);
        assertThat(FALLBACK.findAll(postRequestedFor(urlEqualTo("/"))).size()).isEqualTo((int) hedges);
    }

    private UpstreamRouter router(ChainProperties.Hedging hedging, ChainProperties.Retry retry) {
        return router(hedging, retry, meters);
    }

    private UpstreamRouter router(ChainProperties.Hedging hedging, ChainProperties.Retry retry,
            SimpleMeterRegistry meters) {
        List<ChainProperties.Upstream> upstreams = List.of(
                Upstreams.upstream(PRIMARY.baseUrl() + "/", "primary", 1, UpstreamTier.PRIMARY, 0, 0),
                Upstreams.upstream(FALLBACK.baseUrl() + "/", "fallback", 1, UpstreamTier.FALLBACK, 0, 0));
        ChainProperties chains = new ChainProperties(List.of(Upstreams.chain("test", upstreams, retry, hedging)));
        return new UpstreamRouter(chains, client, (family, methods) -> methods.size(), meters, System::nanoTime,
                new Random(17));
    }

    private double attempts(String upstream, String outcome) {
        return meters.counter(UpstreamRouter.ATTEMPTS_METRIC, "chain", "test", "upstream", upstream, "outcome",
                outcome).count();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Counts the connections an upstream accepted. */
    private record ConnectionCount(AtomicInteger opened) implements WiremockNetworkTrafficListener {

        @Override
        public void opened(Socket socket) {
            opened.incrementAndGet();
        }

        @Override
        public void incoming(Socket socket, ByteBuffer bytes) {
        }

        @Override
        public void outgoing(Socket socket, ByteBuffer bytes) {
        }

        @Override
        public void closed(Socket socket) {
        }
    }
}
