package dev.relaygate.controlplane.observability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.relaygate.controlplane.testsupport.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The management port serves Prometheus' text format with every control-plane metric docs/metrics.md lists, and
 * the readiness group follows PostgreSQL.
 */
class PrometheusEndpointIT extends IntegrationTest {

    @LocalManagementPort
    private int managementPort;

    @Test
    void servesEveryCatalogueMetricOfTheControlPlaneOnTheManagementPort() throws IOException {
        // One REST call, so that Spring's request timer has a sample.
        createOrganization("scrape-" + System.nanoTime());

        String scrape = management().get().uri("/actuator/prometheus")
            .exchange()
            .expectStatus().isOk()
            .expectBody(String.class).returnResult().getResponseBody();
        Files.writeString(Path.of("target", "control-plane-scrape.txt"), scrape);

        List<MetricCatalogue.Entry> catalogue = new ArrayList<>(MetricCatalogue.read("Control plane"));
        catalogue.addAll(MetricCatalogue.read("Both services"));
        assertThat(catalogue).hasSizeGreaterThan(5);
        for (MetricCatalogue.Entry entry : catalogue) {
            assertThat(entry.seriesIn(scrape)).as("%s (docs/metrics.md) in the control plane's scrape", entry.name())
                .isTrue();
        }
    }

    @Test
    void readinessFollowsPostgres() {
        management().get().uri("/actuator/health/readiness")
            .exchange()
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.status").isEqualTo("UP")
            .jsonPath("$.components.r2dbc.status").isEqualTo("UP")
            .jsonPath("$.components.redis").doesNotExist();
        management().get().uri("/actuator/health/liveness")
            .exchange()
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.components.r2dbc").doesNotExist();
    }

    private WebTestClient management() {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort).build();
    }
}
