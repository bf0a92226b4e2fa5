package dev.relaygate.deploy;

import java.util.Map;

/** The two services, as deployment descriptors see them: their ports and the properties they bind. */
enum Service {

    GATEWAY("gateway", "dev.relaygate.gateway"),

    CONTROL_PLANE("control-plane", "dev.relaygate.controlplane");

    /** Where liveness and readiness are served, on the management port (both services enable the probe groups). */
    static final String LIVENESS_PATH = "/actuator/health/liveness";

    static final String READINESS_PATH = "/actuator/health/readiness";

    static final String PROMETHEUS_PATH = "/actuator/prometheus";

    private final String module;

    private final String basePackage;

    private BoundProperties bound;

    Service(String module, String basePackage) {
        this.module = module;
        this.basePackage = basePackage;
    }

    String module() {
        return module;
    }

    Map<String, Object> applicationYml() {
        return Repository.yaml(module + "/src/main/resources/application.yml");
    }

    /** {@code server.port} of its application.yml. */
    int port() {
        return (Integer) Repository.at(applicationYml(), "server.port");
    }

    /** {@code management.server.port} of its application.yml. */
    int managementPort() {
        return (Integer) Repository.at(applicationYml(), "management.server.port");
    }

    synchronized BoundProperties bound() {
        if (bound == null) {
            bound = BoundProperties.of(basePackage, applicationYml());
        }
        return bound;
    }
}
