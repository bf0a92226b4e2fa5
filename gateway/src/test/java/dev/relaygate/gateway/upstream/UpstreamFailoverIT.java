package dev.relaygate.gateway.upstream;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Fault;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.relaygate.gateway.hotpath.HeaderNames;
import dev.relaygate.gateway.testsupport.GatewayIntegrationTest;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failover through the whole gateway: a chain configured with a primary and a fallback upstream (WireMock), the
 * primary failing. What the dApp gets, the attempts header, and what each upstream received.
 */
class UpstreamFailoverIT extends GatewayIntegrationTest {

    private static final WireMockServer PRIMARY = started();

    private static final WireMockServer FALLBACK = started();

    private static final String FALLBACK_ANSWER = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x2\"}";

    @DynamicPropertySource
    static void twoUpstreams(DynamicPropertyRegistry properties) {
        properties.add("relaygate.chains[1].id", () -> "failover");
        properties.add("relaygate.chains[1].upstreams[0].url", () -> PRIMARY.baseUrl() + "/v3/secret-project-key");
        properties.add("relaygate.chains[1].upstreams[0].name", () -> "paid");
        properties.add("relaygate.chains[1].upstreams[1].url", () -> FALLBACK.baseUrl() + "/v3/secret-project-key");
        properties.add("relaygate.chains[1].upstreams[1].tier", () -> "fallback");
        properties.add("relaygate.chains[1].upstreams[1].requests-per-second", () -> "1000");
        properties.add("relaygate.chains[1].health.interval", () -> "1h");
        properties.add("relaygate.chains[1].hedging.enabled", () -> "false");
        properties.add("relaygate.chains[1].retry.timeout", () -> "2s");
    }

    @BeforeEach
    void healthyUpstreams() {
        for (WireMockServer upstream : new WireMockServer[] {PRIMARY, FALLBACK}) {
            upstream.resetAll();
            upstream.stubFor(post("/v3/secret-project-key").withRequestBody(containing("eth_blockNumber"))
                .willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x10\"}")));
        }
        FALLBACK.stubFor(post("/v3/secret-project-key").withRequestBody(containing("eth_get"))
            .willReturn(okJson(FALLBACK_ANSWER)));
        FALLBACK.stubFor(post("/v3/secret-project-key").withRequestBody(containing("eth_sendRawTransaction"))
            .willReturn(okJson(FALLBACK_ANSWER)));
    }

    @Test
    void aReadFailsOverAndTheHeaderSaysTwoUpstreamsWereTried() {
        PRIMARY.stubFor(post("/v3/secret-project-key").willReturn(aResponse().withStatus(502).withBody("bad gateway")));

        String answer = client.post().uri("/v1/failover/" + activeKey())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBalance\",\"params\":[\"0x0\",\"latest\"]}")
            .exchange()
            .expectStatus().isOk()
            .expectHeader().valueEquals(HeaderNames.UPSTREAM_ATTEMPTS, "2")
            .expectBody(String.class).returnResult().getResponseBody();

        assertThat(answer).isEqualTo(FALLBACK_ANSWER);
        assertThat(sent(PRIMARY, "eth_getBalance")).isEqualTo(1);
        assertThat(sent(FALLBACK, "eth_getBalance")).isEqualTo(1);
    }

    @Test
    void aWriteThatMayHaveReachedTheNodeIsNeverSentAgain() {
        PRIMARY.stubFor(post("/v3/secret-project-key").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        String answer = client.post().uri("/v1/failover/" + activeKey())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"eth_sendRawTransaction\",\"params\":[\"0x02f8\"]}")
            .exchange()
            .expectStatus().isEqualTo(502)
            .expectHeader().valueEquals(HeaderNames.UPSTREAM_ATTEMPTS, "1")
            .expectBody(String.class).returnResult().getResponseBody();

        assertThat(answer).contains("\"id\":9").contains("-32603").doesNotContain("secret-project-key")
            .doesNotContain("127.0.0.1");
        assertThat(sent(PRIMARY, "eth_sendRawTransaction")).isEqualTo(1);
        assertThat(sent(FALLBACK, "eth_sendRawTransaction")).isZero();
    }

    @Test
    void aChainWithOneUpstreamSaysOneUpstreamWasTried() {
        client.post().uri("/v1/anvil/" + activeKey())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"}")
            .exchange()
            .expectStatus().isOk()
            .expectHeader().valueEquals(HeaderNames.UPSTREAM_ATTEMPTS, "1");
    }

    private static int sent(WireMockServer upstream, String method) {
        return upstream.findAll(postRequestedFor(urlEqualTo("/v3/secret-project-key"))
            .withRequestBody(containing(method))).size();
    }

    private static WireMockServer started() {
        WireMockServer server = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        return server;
    }
}
