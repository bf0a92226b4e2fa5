package dev.relaygate.local;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * How a local stack runs: where the repository and the stack's state live, whether it binds the well-known ports
 * (a developer's stack) or free ones (a test's stack), and how many gateways it runs.
 *
 * @param root the repository root, where the services' runnable jars are built
 * @param dataDir the one folder that holds databases, logs, installed tools and generated secrets
 * @param fixedPorts bind 8080/8081 (gateway), 8090/8091 (control plane) and 8545 (Anvil) rather than free ports;
 *        further gateways take 8180/8181, 8280/8281, …
 * @param environment where {@code DATABASE_URL}, {@code REDIS_URL} and extra chains are read from
 * @param gateways how many gateway processes, each on its own ports and spool directory, all sharing Redis and the
 *        control plane (at least 1)
 * @param gatewayProperties Spring properties every gateway starts with ({@code relaygate.usage.spool.fsync} →
 *        {@code always}), passed as {@code --name=value}
 */
public record StackOptions(Path root, Path dataDir, boolean fixedPorts, Map<String, String> environment,
        int gateways, Map<String, String> gatewayProperties) {

    public StackOptions {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(dataDir, "dataDir");
        environment = Map.copyOf(environment);
        if (gateways < 1) {
            throw new IllegalArgumentException("gateways must be at least 1, was " + gateways);
        }
        gatewayProperties = Map.copyOf(gatewayProperties);
    }

    /** A developer's stack: state under {@code <root>/.local}, well-known ports, the process environment. */
    public static StackOptions developer(Path root) {
        return new StackOptions(root, root.resolve(".local"), true, System.getenv(), 1, Map.of());
    }

    /** A test's stack: state in the given folder, free ports, the process environment. */
    public static StackOptions test(Path root, Path dataDir) {
        return new StackOptions(root, dataDir, false, System.getenv(), 1, Map.of());
    }

    /** The same stack with {@code count} gateways. */
    public StackOptions withGateways(int count) {
        return new StackOptions(root, dataDir, fixedPorts, environment, count, gatewayProperties);
    }

    /** The same stack, its gateways started with these properties. */
    public StackOptions withGatewayProperties(Map<String, String> properties) {
        return new StackOptions(root, dataDir, fixedPorts, environment, gateways, properties);
    }

    String env(String name) {
        String value = environment.get(name);
        return (value == null || value.isBlank()) ? null : value;
    }
}
