package dev.relaygate.deploy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static dev.relaygate.deploy.Repository.at;
import static dev.relaygate.deploy.Repository.cast;
import static org.assertj.core.api.Assertions.assertThat;

/** deploy/compose agrees with the services, and .env.example with what docker-compose.yml reads. */
class ComposeTest {

    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)");

    private static final Pattern EXAMPLE_LINE = Pattern.compile("(?m)^([A-Z_][A-Z0-9_]*)=");

    private static final Map<String, Service> APPLICATIONS = Map.of("control-plane", Service.CONTROL_PLANE,
            "gateway-1", Service.GATEWAY, "gateway-2", Service.GATEWAY);

    private final Map<String, Object> compose = Repository.yaml("deploy/compose/docker-compose.yml");

    @Test
    void everyVariableTheServicesGetIsOneTheyBind() {
        for (var application : APPLICATIONS.entrySet()) {
            Map<String, Object> environment = cast(at(services(), application.getKey() + ".environment"));
            assertThat(environment).as(application.getKey()).isNotEmpty();
            assertThat(environment.keySet())
                .as("variables %s gets that %s does not bind", application.getKey(), application.getValue().module())
                .allMatch(application.getValue().bound()::bindsEnvironmentVariable);
        }
    }

    @Test
    void theServicesRunAsTheImagesUserOnAReadOnlyFileSystem() {
        for (String application : APPLICATIONS.keySet()) {
            assertThat(at(services(), application + ".read_only")).as(application).isEqualTo(true);
            assertThat(at(services(), application + ".user")).as(application).isEqualTo("65532:65532");
        }
    }

    @Test
    void envExampleListsExactlyTheVariablesComposeReads() {
        Set<String> read = new TreeSet<>();
        Matcher interpolation = INTERPOLATION.matcher(Repository.read("deploy/compose/docker-compose.yml"));
        while (interpolation.find()) {
            read.add(interpolation.group(1));
        }
        Set<String> example = new TreeSet<>();
        Matcher line = EXAMPLE_LINE.matcher(Repository.read("deploy/compose/.env.example"));
        while (line.find()) {
            example.add(line.group(1));
        }

        assertThat(example).isEqualTo(read);
    }

    @Test
    void prometheusScrapesTheManagementPorts() {
        Map<String, Object> prometheus = Repository.yaml("deploy/compose/prometheus.yml");
        Map<String, Integer> jobs = Map.of("gateway", Service.GATEWAY.managementPort(), "control-plane",
                Service.CONTROL_PLANE.managementPort());
        List<Map<String, Object>> scrapes = cast(prometheus.get("scrape_configs"));
        assertThat(scrapes).extracting(scrape -> scrape.get("job_name")).containsExactlyInAnyOrderElementsOf(jobs.keySet());
        for (Map<String, Object> scrape : scrapes) {
            assertThat(scrape.get("metrics_path")).isEqualTo(Service.PROMETHEUS_PATH);
            List<String> targets = cast(at(Repository.<List<Map<String, Object>>>cast(scrape.get("static_configs")).get(0),
                    "targets"));
            assertThat(targets).isNotEmpty()
                .allMatch(target -> target.endsWith(":" + jobs.get((String) scrape.get("job_name"))));
        }
        assertThat(Repository.<List<String>>cast(prometheus.get("rule_files"))).containsExactly("/etc/prometheus/alerts.yml");
    }

    @Test
    void theLoadBalancerSendsToBothGatewaysOnTheirJsonRpcPort() {
        String nginx = Repository.read("deploy/compose/nginx/nginx.conf");

        assertThat(nginx).contains("server gateway-1:" + Service.GATEWAY.port())
            .contains("server gateway-2:" + Service.GATEWAY.port())
            .doesNotContain(":" + Service.GATEWAY.managementPort());
    }

    @Test
    void everyFileComposeMountsExists() {
        for (var service : services().entrySet()) {
            Map<String, Object> definition = cast(service.getValue());
            for (Object volume : (List<?>) definition.getOrDefault("volumes", List.of())) {
                String source = volume.toString().split(":")[0];
                if (source.startsWith(".")) {
                    assertThat(Repository.path("deploy/compose").resolve(source)).as("%s mounts %s", service.getKey(),
                            source).exists();
                }
            }
        }
    }

    private Map<String, Object> services() {
        return cast(compose.get("services"));
    }
}
