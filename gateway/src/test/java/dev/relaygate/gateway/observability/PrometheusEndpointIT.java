package dev.relaygate.gateway.observability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.relaygate.gateway.testsupport.GatewayIntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The management port serves Prometheus' text format, and every gateway metric docs/metrics.md lists is in it: the
 * catalogue that dashboards and alert rules are checked against (deploy/checks) names only metrics that exist.
 */
class PrometheusEndpointIT extends GatewayIntegrationTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}";

    /** The relayed call, counted: a sample of at least 1 (other tests of the shared context may have added more). */
    private static final Pattern OK_FACTS = Pattern.compile("(?m)^relaygate_usage_facts_total\\{outcome=\"ok\"} [1-9]");

    @LocalManagementPort
    private int managementPort;

    @Test
    void servesEveryCatalogueMetricOfTheGatewayOnTheManagementPort() throws IOException {
        String key = activeKey();
        client.post().uri("/v1/anvil/" + key).contentType(MediaType.APPLICATION_JSON).bodyValue(CALL)
            .exchange()
            .expectStatus().isOk();

        String scrape = await().atMost(Duration.ofSeconds(20))
            .until(this::scrape, text -> OK_FACTS.matcher(text).find());
        Files.writeString(Path.of("target", "gateway-scrape.txt"), scrape);

        List<MetricCatalogue.Entry> catalogue = new ArrayList<>(MetricCatalogue.read("Gateway"));
        catalogue.addAll(MetricCatalogue.read("Both services"));
        assertThat(catalogue).hasSizeGreaterThan(10);
        for (MetricCatalogue.Entry entry : catalogue) {
            assertThat(entry.seriesIn(scrape)).as("%s (docs/metrics.md) in the gateway's scrape", entry.name())
                .isTrue();
        }
        assertThat(scrape).contains("relaygate_upstream_latency_seconds_bucket{chain=\"anvil\"");
    }

    @Test
    void isReadyWhileTheLimiterDecides() {
        WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort).build()
            .get().uri("/actuator/health/readiness")
            .exchange()
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.status").isEqualTo("UP")
            .jsonPath("$.components.rateLimit.status").isEqualTo("UP")
            .jsonPath("$.components.readinessState.status").isEqualTo("UP");
    }

    private String scrape() {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort).build()
            .get().uri("/actuator/prometheus")
            .exchange()
            .expectStatus().isOk()
            .expectBody(String.class).returnResult().getResponseBody();
    }
}
