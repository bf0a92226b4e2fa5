package dev.relaygate.gateway.upstream;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relaygate.gateway.config.UpstreamProperties;
import dev.relaygate.gateway.routing.ChainFamily;
import dev.relaygate.gateway.routing.ChainProperties;
import dev.relaygate.gateway.routing.UpstreamTier;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Routing that depends on the heads health checks report: state reads older than the pruning window go to the
 * archive upstream, and a {@code null} block the best head has is retried elsewhere.
 */
class ArchiveAndLagTest {

    private static final String HEAD = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1000\"}";

    private final WireMockServer full = new WireMockServer(
            WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());

    private final WireMockServer archive = new WireMockServer(
            WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());

    private final UpstreamClient client = new UpstreamClient(new UpstreamProperties(64, Duration.ofSeconds(2),
            Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(30), 1 << 20));

    private UpstreamRouter router;

    @BeforeEach
    void start() {
        for (WireMockServer upstream : List.of(full, archive)) {
            upstream.start();
            upstream.stubFor(post("/").withRequestBody(containing("eth_blockNumber")).willReturn(okJson(HEAD)));
        }
        full.stubFor(post("/").withRequestBody(containing("eth_get"))
            .willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"full\"}")));
        archive.stubFor(post("/").withRequestBody(containing("eth_get"))
            .willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"archive\"}")));
        ChainProperties.Chain chain = new ChainProperties.Chain("test", List.of(), ChainFamily.EVM, List.of(
                new ChainProperties.Upstream(URI.create(full.baseUrl() + "/"), "full", 1, UpstreamTier.PRIMARY, false,
                        0, 0, null),
                new ChainProperties.Upstream(URI.create(archive.baseUrl() + "/"), "archive", 1, UpstreamTier.PRIMARY,
                        true, 0, 0, null)),
                new ChainProperties.Health(Duration.ofMillis(100), Duration.ofSeconds(1), 5, 128),
                Upstreams.retry(Duration.ofSeconds(5), 3, Duration.ofSeconds(2)), Upstreams.noHedging(),
                Upstreams.EJECTION);
        router = new UpstreamRouter(new ChainProperties(List.of(chain)), client, (family, methods) -> 1,
                new SimpleMeterRegistry(), System::nanoTime, new Random(17));
        router.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> checks(full) > 0 && checks(archive) > 0);
    }

    @AfterEach
    void stop() {
        router.close();
        client.close();
        full.stop();
        archive.stop();
    }

    @Test
    void sendsStateReadsOlderThanThePruningWindowToTheArchiveUpstream() {
        for (int i = 0; i < 20; i++) {
            assertThat(answer("eth_getBalance", "[\"0xabc\",\"0x10\"]")).contains("archive");
        }
    }

    @Test
    void sendsRecentStateReadsToAnyUpstream() {
        for (int i = 0; i < 40; i++) {
            answer("eth_getBalance", "[\"0xabc\",\"latest\"]");
            answer("eth_getBalance", "[\"0xabc\",\"0xfff\"]");
        }

        assertThat(sent(full, "eth_getBalance")).isPositive();
        assertThat(sent(archive, "eth_getBalance")).isPositive();
    }

    @Test
    void retriesANullBlockThatTheBestHeadHasOnAnotherUpstream() {
        full.stubFor(post("/").withRequestBody(containing("eth_getBlockByNumber"))
            .willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}")));
        archive.stubFor(post("/").withRequestBody(containing("eth_getBlockByNumber"))
            .willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"number\":\"0xff0\"}}")));

        for (int i = 0; i < 10; i++) {
            assertThat(answer("eth_getBlockByNumber", "[\"0xff0\",false]")).contains("0xff0");
        }
    }

    @Test
    void relaysANullBlockBeyondTheBestHead() {
        full.stubFor(post("/").withRequestBody(containing("eth_getBlockByNumber"))
            .willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}")));
        archive.stubFor(post("/").withRequestBody(containing("eth_getBlockByNumber"))
            .willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}")));

        Relayed relayed = router.relay("test", List.of("eth_getBlockByNumber"), bytes(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBlockByNumber\",\"params\":[\"0x2000\",false]}")).block();

        assertThat(relayed.attempts()).isEqualTo(1);
        assertThat(new String(relayed.response().body(), StandardCharsets.UTF_8)).contains("\"result\":null");
    }

    private String answer(String method, String params) {
        Relayed relayed = router.relay("test", List.of(method), bytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\""
                + method + "\",\"params\":" + params + "}")).block();
        return new String(relayed.response().body(), StandardCharsets.UTF_8);
    }

    private static int checks(WireMockServer upstream) {
        return sent(upstream, "eth_blockNumber");
    }

    private static int sent(WireMockServer upstream, String method) {
        return upstream.findAll(postRequestedFor(urlEqualTo("/")).withRequestBody(containing(method))).size();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
