package dev.relaygate.deploy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** deploy/prometheus/alerts.yml: valid for Prometheus, unit-tested, and on catalogued metrics only. */
class PrometheusRulesTest {

    private static final Path RULES = Repository.path("deploy/prometheus");

    @Test
    void promtoolAcceptsTheRules() {
        Tools.Result result = Tools.run(RULES, "promtool", "check", "rules", "alerts.yml");

        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.stdout()).contains("SUCCESS");
    }

    @Test
    void promtoolUnitTestsOfTheRulesPass() {
        Tools.Result result = Tools.run(RULES, "promtool", "test", "rules", "alerts.test.yml");

        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.stdout() + result.stderr()).contains("SUCCESS");
    }

    @Test
    void everyAlertHasAUnitTestInWhichItFires() {
        Set<String> fired = new TreeSet<>();
        for (Map<String, Object> test : Repository.<List<Map<String, Object>>>cast(
                Repository.yaml("deploy/prometheus/alerts.test.yml").get("tests"))) {
            for (Map<String, Object> check : Repository.<List<Map<String, Object>>>cast(test.get("alert_rule_test"))) {
                List<?> expected = (List<?>) check.get("exp_alerts");
                if (expected != null && !expected.isEmpty()) {
                    fired.add((String) check.get("alertname"));
                }
            }
        }

        assertThat(fired).containsExactlyInAnyOrderElementsOf(alerts().keySet());
    }

    @Test
    void theRulesCoverWhatOperationsAskedFor() {
        // Issue #18: error rate, p99, upstream down, degraded rate limiting, growing usage spool, quota exhaustion
        // spike, webhook failures.
        assertThat(alerts()).containsKeys("RelaygateGatewayErrorRateHigh", "RelaygateControlPlaneErrorRateHigh",
                "RelaygateUpstreamLatencyP99High", "RelaygateUpstreamDown", "RelaygateRateLimitingDegraded",
                "RelaygateUsageSpoolGrowing", "RelaygateRateLimitRefusalSpike", "RelaygateStripeWebhookFailures");
    }

    @Test
    void alertsUseOnlyCataloguedMetricsAndPointToARunbookThatExists() {
        Set<String> catalogue = MetricCatalogue.read().seriesNames();
        alerts().forEach((name, rule) -> {
            assertThat(PromQl.metricNames((String) rule.get("expr"))).as("metrics of %s", name)
                .isNotEmpty()
                .isSubsetOf(catalogue);
            String runbook = (String) Repository.<Map<String, Object>>cast(rule.get("annotations")).get("runbook");
            assertThat(Repository.path(runbook)).as("runbook of %s", name).isRegularFile();
        });
    }

    private static Map<String, Map<String, Object>> alerts() {
        Map<String, Map<String, Object>> alerts = new java.util.TreeMap<>();
        for (Map<String, Object> group : Repository.<List<Map<String, Object>>>cast(
                Repository.yaml("deploy/prometheus/alerts.yml").get("groups"))) {
            for (Map<String, Object> rule : Repository.<List<Map<String, Object>>>cast(group.get("rules"))) {
                alerts.put((String) rule.get("alert"), rule);
            }
        }
        return alerts;
    }
}
