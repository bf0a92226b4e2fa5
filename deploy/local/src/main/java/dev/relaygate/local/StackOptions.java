package dev.relaygate.local;

import java.nio.file.Path;
import java.util.HashMap;
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
 * @param controlPlaneEnvironment variables added to the control plane's environment, e.g.
 *        {@code RELAYGATE_BILLING_STRIPE_API_KEY} (Spring's relaxed binding makes them properties; secrets stay off
 *        the command line). The properties the stack itself passes as arguments (ports, database, Redis, tokens)
 *        win over them.
 * @param gatewayEnvironment variables added to every gateway's environment, likewise
 * @param gateways how many gateway processes, each on its own ports and spool directory, all sharing Redis and the
 *        control plane (at least 1)
 * @param gatewayProperties Spring properties every gateway starts with ({@code relaygate.usage.spool.fsync} →
 *        {@code always}), passed as {@code --name=value}
 */
public record StackOptions(Path root, Path dataDir, boolean fixedPorts, Map<String, String> environment,
        Map<String, String> controlPlaneEnvironment, Map<String, String> gatewayEnvironment, int gateways,
        Map<String, String> gatewayProperties) {

    public StackOptions {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(dataDir, "dataDir");
        environment = Map.copyOf(environment);
        controlPlaneEnvironment = Map.copyOf(controlPlaneEnvironment);
        gatewayEnvironment = Map.copyOf(gatewayEnvironment);
        if (gateways < 1) {
            throw new IllegalArgumentException("gateways must be at least 1, was " + gateways);
        }
        gatewayProperties = Map.copyOf(gatewayProperties);
    }

    public StackOptions(Path root, Path dataDir, boolean fixedPorts, Map<String, String> environment) {
        this(root, dataDir, fixedPorts, environment, Map.of(), Map.of(), 1, Map.of());
    }

    /** A developer's stack: state under {@code <root>/.local}, well-known ports, the process environment. */
    public static StackOptions developer(Path root) {
        return new StackOptions(root, root.resolve(".local"), true, System.getenv());
    }

    /** A test's stack: state in the given folder, free ports, the process environment. */
    public static StackOptions test(Path root, Path dataDir) {
        return new StackOptions(root, dataDir, false, System.getenv());
    }

    /** The same stack with {@code count} gateways. */
    public StackOptions withGateways(int count) {
        return new StackOptions(root, dataDir, fixedPorts, environment, controlPlaneEnvironment, gatewayEnvironment,
                count, gatewayProperties);
    }

    /** The same stack, its gateways started with these properties. */
    public StackOptions withGatewayProperties(Map<String, String> properties) {
        return new StackOptions(root, dataDir, fixedPorts, environment, controlPlaneEnvironment, gatewayEnvironment,
                gateways, properties);
    }

    /** These options with {@code variables} added to the control plane's environment (later ones win). */
    public StackOptions withControlPlaneEnvironment(Map<String, String> variables) {
        return new StackOptions(root, dataDir, fixedPorts, environment, merged(controlPlaneEnvironment, variables),
                gatewayEnvironment, gateways, gatewayProperties);
    }

    /** These options with {@code variables} added to the gateway's environment (later ones win). */
    public StackOptions withGatewayEnvironment(Map<String, String> variables) {
        return new StackOptions(root, dataDir, fixedPorts, environment, controlPlaneEnvironment,
                merged(gatewayEnvironment, variables), gateways, gatewayProperties);
    }

    private static Map<String, String> merged(Map<String, String> base, Map<String, String> added) {
        Map<String, String> all = new HashMap<>(base);
        all.putAll(added);
        return all;
    }

    String env(String name) {
        String value = environment.get(name);
        return (value == null || value.isBlank()) ? null : value;
    }
}
