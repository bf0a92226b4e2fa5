package dev.relaygate.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** The Grafana dashboards of deploy/compose: valid JSON, on provisioned data sources and catalogued metrics only. */
class DashboardsTest {

    private static final Path DASHBOARDS = Repository.path("deploy/compose/grafana/dashboards");

    @Test
    void everyDashboardParsesAndQueriesOnlyCataloguedMetrics() throws IOException {
        Set<String> catalogue = MetricCatalogue.read().seriesNames();
        Set<String> dataSources = provisionedDataSources();
        List<Path> dashboards = dashboards();
        assertThat(dashboards).hasSizeGreaterThanOrEqualTo(2);

        Set<String> uids = new TreeSet<>();
        for (Path file : dashboards) {
            JsonNode dashboard = JsonMapper.builder().build().readTree(file.toFile());
            assertThat(uids.add(dashboard.path("uid").asString())).as("uid of %s is its own", file).isTrue();
            List<JsonNode> targets = new ArrayList<>();
            dashboard.path("panels").forEach(panel -> {
                assertThat(dataSources).as("data source of panel %s in %s", panel.path("title"), file.getFileName())
                    .contains(panel.path("datasource").path("uid").asString());
                panel.path("targets").forEach(targets::add);
            });
            assertThat(targets).as("queries of %s", file.getFileName()).isNotEmpty();
            for (JsonNode target : targets) {
                String expr = target.path("expr").asString();
                assertThat(PromQl.metricNames(expr)).as("metrics of %s in %s", expr, file.getFileName())
                    .isNotEmpty()
                    .isSubsetOf(catalogue);
            }
        }
    }

    @Test
    void theCatalogueListsTheServicesMetrics() {
        // A guard on the reader: an empty catalogue would let any dashboard through.
        assertThat(MetricCatalogue.read().size()).isGreaterThan(20);
        assertThat(MetricCatalogue.read().seriesNames()).contains("relaygate_upstream_latency_seconds_bucket",
                "relaygate_usage_facts_total", "http_server_requests_seconds_count", "up");
    }

    private static Set<String> provisionedDataSources() {
        Set<String> uids = new TreeSet<>();
        for (Object source : (List<?>) Repository.yaml("deploy/compose/grafana/provisioning/datasources/datasources.yml")
            .get("datasources")) {
            uids.add((String) ((java.util.Map<?, ?>) source).get("uid"));
        }
        return uids;
    }

    private static List<Path> dashboards() throws IOException {
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            return files.filter(file -> file.toString().endsWith(".json")).sorted().toList();
        }
    }
}
