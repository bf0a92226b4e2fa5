package dev.relaygate.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.relaygate.deploy.Repository.at;
import static dev.relaygate.deploy.Repository.cast;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/kubernetes: the base and every overlay render with {@code kubectl kustomize}, and what they render agrees
 * with the services (ports, probe paths, the management port, bound environment variables) and with the rules of
 * issue #18 (non-root, read-only, resources, HPA, PDB, NetworkPolicy).
 */
class KubernetesManifestsTest {

    /** The Secret operators create (deploy/kubernetes/README.md); every other reference must render. */
    private static final String SECRET = "relaygate-secrets";

    static List<String> kustomizations() throws IOException {
        List<String> directories = new ArrayList<>(List.of("deploy/kubernetes/base"));
        try (Stream<Path> overlays = Files.list(Repository.path("deploy/kubernetes/overlays"))) {
            overlays.filter(Files::isDirectory).sorted()
                .forEach(overlay -> directories.add(Repository.root().relativize(overlay).toString()));
        }
        return directories;
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void rendersAndAgreesWithTheServices(String kustomization) {
        List<Map<String, Object>> objects = render(kustomization);

        Map<String, Service> deployments = Map.of("relaygate-gateway", Service.GATEWAY,
                "relaygate-control-plane", Service.CONTROL_PLANE);
        Set<String> configMaps = new TreeSet<>();
        objects.stream().filter(kind("ConfigMap")).forEach(map -> configMaps.add(name(map)));
        for (var entry : deployments.entrySet()) {
            Map<String, Object> deployment = only(objects, "Deployment", entry.getKey());
            checkDeployment(deployment, entry.getValue(), objects, configMaps);
            checkService(only(objects, "Service", entry.getKey()), entry.getValue());
            Map<String, Object> hpa = only(objects, "HorizontalPodAutoscaler", entry.getKey());
            assertThat(at(hpa, "spec.scaleTargetRef.name")).isEqualTo(entry.getKey());
            assertThat((Integer) at(hpa, "spec.minReplicas")).isGreaterThanOrEqualTo(2);
            Map<String, Object> pdb = only(objects, "PodDisruptionBudget", entry.getKey());
            assertThat(Repository.<Map<String, Object>>cast(at(pdb, "spec.selector.matchLabels")))
                .containsAllEntriesOf(cast(at(deployment, "spec.selector.matchLabels")));
        }
        assertThat(objects.stream().filter(kind("NetworkPolicy")).map(KubernetesManifestsTest::name))
            .contains("relaygate-default-deny", "relaygate-gateway", "relaygate-control-plane");
    }

    private static void checkDeployment(Map<String, Object> deployment, Service service,
            List<Map<String, Object>> objects, Set<String> configMaps) {
        Map<String, Object> pod = cast(at(deployment, "spec.template.spec"));
        assertThat(at(pod, "securityContext.runAsNonRoot")).isEqualTo(true);
        assertThat((Integer) at(pod, "securityContext.runAsUser")).isPositive();
        assertThat(at(pod, "automountServiceAccountToken")).isEqualTo(false);
        Map<String, Object> annotations = cast(at(deployment, "spec.template.metadata.annotations"));
        assertThat(annotations).containsEntry("prometheus.io/port", String.valueOf(service.managementPort()))
            .containsEntry("prometheus.io/path", Service.PROMETHEUS_PATH);

        List<Map<String, Object>> containers = cast(pod.get("containers"));
        assertThat(containers).hasSize(1);
        Map<String, Object> container = containers.get(0);
        assertThat(at(container, "securityContext.readOnlyRootFilesystem")).isEqualTo(true);
        assertThat(at(container, "securityContext.allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(Repository.<List<String>>cast(at(container, "securityContext.capabilities.drop"))).contains("ALL");
        assertThat(at(container, "resources.requests.cpu")).isNotNull();
        assertThat(at(container, "resources.limits.memory")).isNotNull();

        Map<String, Integer> ports = new java.util.HashMap<>();
        for (Map<String, Object> port : Repository.<List<Map<String, Object>>>cast(container.get("ports"))) {
            ports.put((String) port.get("name"), (Integer) port.get("containerPort"));
        }
        assertThat(ports).containsEntry("http", service.port()).containsEntry("management", service.managementPort());
        for (String[] probe : new String[][] { { "livenessProbe", Service.LIVENESS_PATH },
                { "readinessProbe", Service.READINESS_PATH }, { "startupProbe", Service.LIVENESS_PATH } }) {
            assertThat(at(container, probe[0] + ".httpGet.path")).as(probe[0]).isEqualTo(probe[1]);
            Object port = at(container, probe[0] + ".httpGet.port");
            assertThat(port instanceof String named ? ports.get(named) : port).as(probe[0] + " port")
                .isEqualTo(service.managementPort());
        }

        Set<String> variables = new TreeSet<>();
        for (Map<String, Object> env : Repository.<List<Map<String, Object>>>cast(container.getOrDefault("env", List.of()))) {
            variables.add((String) env.get("name"));
            Object secret = at(env, "valueFrom.secretKeyRef.name");
            if (secret != null) {
                assertThat(secret).isEqualTo(SECRET);
            }
        }
        for (Map<String, Object> source : Repository.<List<Map<String, Object>>>cast(container.getOrDefault("envFrom", List.of()))) {
            String configMap = (String) at(source, "configMapRef.name");
            assertThat(configMaps).as("ConfigMap %s rendered", configMap).contains(configMap);
            Map<String, Object> map = only(objects, "ConfigMap", configMap);
            variables.addAll(Repository.<Map<String, Object>>cast(map.get("data")).keySet());
        }
        assertThat(variables).isNotEmpty();
        assertThat(variables).as("variables %s sets that %s does not bind", name(deployment), service.module())
            .allMatch(service.bound()::bindsEnvironmentVariable);
    }

    private static void checkService(Map<String, Object> kubernetesService, Service service) {
        Map<String, Object> ports = new java.util.HashMap<>();
        for (Map<String, Object> port : Repository.<List<Map<String, Object>>>cast(at(kubernetesService, "spec.ports"))) {
            ports.put((String) port.get("name"), port.get("port"));
        }
        assertThat(ports).containsEntry("http", service.port()).containsEntry("management", service.managementPort());
    }

    static List<Map<String, Object>> render(String kustomization) {
        Tools.Result result = Tools.run(Repository.root(), "kubectl", "kustomize", kustomization);
        assertThat(result.exitCode()).as(result.describe()).isZero();
        List<Map<String, Object>> objects = Repository.yamlDocuments(result.stdout());
        assertThat(objects).isNotEmpty();
        return objects;
    }

    private static java.util.function.Predicate<Map<String, Object>> kind(String kind) {
        return object -> kind.equals(object.get("kind"));
    }

    private static String name(Map<String, Object> object) {
        return (String) at(object, "metadata.name");
    }

    private static Map<String, Object> only(List<Map<String, Object>> objects, String kind, String name) {
        List<Map<String, Object>> found = objects.stream().filter(kind(kind))
            // ConfigMaps from a generator carry a content hash after their name.
            .filter(object -> name(object).equals(name) || kind.equals("ConfigMap") && name(object).startsWith(name + "-"))
            .toList();
        assertThat(found).as("%s %s", kind, name).hasSize(1);
        return found.get(0);
    }
}
