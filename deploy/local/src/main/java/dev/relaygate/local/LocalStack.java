package dev.relaygate.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole Relaygate system on one machine: PostgreSQL, Redis, Anvil, the control plane and the gateway (or
 * several), started in dependency order and stopped in reverse. The README's run command starts it through
 * {@link #main}; the end-to-end tests start one of their own through {@link #start}, and may stop and start Redis,
 * the control plane and each gateway while it runs, to cause the faults they prove the system survives.
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalStack.class);

    /** Generous: three JVMs starting at once on a busy two-core machine have taken over three minutes. */
    private static final Duration SERVICE_START_TIMEOUT = Duration.ofSeconds(300);

    private static final String EXTRA_CHAIN_PREFIX = "RELAYGATE_CHAIN_";

    private final StackOptions options;

    private final StackSecrets secrets;

    private final List<AutoCloseable> running = Collections.synchronizedList(new ArrayList<>());

    private final List<ChildProcess> children = Collections.synchronizedList(new ArrayList<>());

    private Postgres postgres;

    private Redis redis;

    private int anvilPort;

    private final List<Gateway> gateways = new ArrayList<>();

    private volatile ChildProcess controlPlane;

    private int controlPlanePort;

    private int controlPlaneManagementPort;

    private DevIdentityProvider identityProvider;

    private boolean closed;

    private LocalStack(StackOptions options) {
        this.options = options;
        this.secrets = StackSecrets.load(options.dataDir());
    }

    /** Starts every component; on any failure stops what was started and rethrows. */
    public static LocalStack start(StackOptions options) {
        LocalStack stack = new LocalStack(options);
        try {
            stack.startAll();
            return stack;
        }
        catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void startAll() {
        Properties build = buildProperties();
        boolean fixed = options.fixedPorts();
        anvilPort = Ports.pick(fixed, 8545);
        for (int index = 0; index < options.gateways(); index++) {
            // The first gateway keeps the name, log and spool folder of a one-gateway stack.
            String name = index == 0 ? "gateway" : "gateway-" + (index + 1);
            Path spool = index == 0 ? options.dataDir().resolve("usage-spool")
                    : options.dataDir().resolve(name).resolve("usage-spool");
            gateways.add(new Gateway(name, Ports.pick(fixed, 8080 + 100 * index), Ports.pick(fixed, 8081 + 100 * index),
                    spool.toAbsolutePath()));
        }
        controlPlanePort = Ports.pick(fixed, 8090);
        controlPlaneManagementPort = Ports.pick(fixed, 8091);

        CompletableFuture<Postgres> postgresStart = CompletableFuture.supplyAsync(() -> Postgres.start(options));
        CompletableFuture<Redis> redisStart = CompletableFuture.supplyAsync(() -> Redis.start(options));
        CompletableFuture<ChildProcess> anvilStart = CompletableFuture
            .supplyAsync(() -> Anvil.start(options, build.getProperty("anvil.version"), anvilPort));
        postgres = track(postgresStart.join());
        redis = track(redisStart.join());
        track(anvilStart.join());

        identityProvider = track(DevIdentityProvider.start(Ports.pick(fixed, 8092), tokens(), URI.create(portalUrl())));
        controlPlane = service("control-plane", controlPlaneArguments(), options.controlPlaneEnvironment());
        children.add(controlPlane);
        running.add(() -> stopIfRunning(controlPlane));
        for (Gateway gateway : gateways) {
            gateway.process = service("gateway", gateway.name, gatewayArguments(gateway, Map.of()), options.gatewayEnvironment());
            children.add(gateway.process);
            running.add(() -> stopIfRunning(gateway.process));
        }
        awaitReady(controlPlane, controlPlaneManagementPort);
        for (Gateway gateway : gateways) {
            awaitReady(gateway.process, gateway.managementPort);
        }
    }

    private static void awaitReady(ChildProcess service, int managementPort) {
        service.awaitReady(ChildProcess.get(managementUrl(managementPort)), body -> body.contains("\"UP\""),
                SERVICE_START_TIMEOUT);
    }

    private static void stopIfRunning(ChildProcess child) {
        if (child != null) {
            child.stop(Duration.ofSeconds(15));
        }
    }

    private List<String> controlPlaneArguments() {
        return List.of(
                "--server.port=" + controlPlanePort,
                "--management.server.port=" + controlPlaneManagementPort,
                "--spring.r2dbc.url=" + postgres.r2dbcUrl(),
                "--spring.r2dbc.username=" + postgres.user(),
                "--spring.r2dbc.password=" + postgres.password(),
                "--spring.flyway.url=" + postgres.jdbcUrl(),
                "--spring.flyway.user=" + postgres.user(),
                "--spring.flyway.password=" + postgres.password(),
                "--relaygate.redis.url=" + redis.url(),
                "--relaygate.security.jwt.hmac-secret=" + secrets.jwtSecret(),
                "--relaygate.security.jwt.issuer=" + DevTokens.ISSUER,
                "--relaygate.security.jwt.audience=" + DevTokens.AUDIENCE,
                "--relaygate.internal.token=" + secrets.internalToken(),
                "--relaygate.portal.sign-in.authorization-endpoint=" + identityProvider.authorizationEndpoint(),
                "--relaygate.portal.sign-in.token-endpoint=" + identityProvider.tokenEndpoint(),
                "--relaygate.portal.sign-in.client-id=" + DevIdentityProvider.CLIENT_ID);
    }

    private List<String> gatewayArguments(Gateway gateway, Map<String, String> properties) {
        List<String> arguments = new ArrayList<>(List.of(
                "--server.port=" + gateway.port,
                "--management.server.port=" + gateway.managementPort,
                "--relaygate.usage.spool.directory=" + gateway.spoolDirectory,
                "--relaygate.redis.url=" + redis.url(),
                "--relaygate.control-plane.url=" + controlPlaneUrl(),
                "--relaygate.control-plane.internal-token=" + secrets.internalToken(),
                "--relaygate.chains[0].id=anvil",
                "--relaygate.chains[0].aliases[0]=local",
                "--relaygate.chains[0].family=evm",
                "--relaygate.chains[0].upstreams[0].url=" + anvilUrl()));
        int index = 1;
        for (Map.Entry<String, String> chain : extraChains().entrySet()) {
            arguments.add("--relaygate.chains[" + index + "].id=" + chain.getKey());
            arguments.add("--relaygate.chains[" + index + "].family=evm");
            arguments.add("--relaygate.chains[" + index + "].upstreams[0].url=" + chain.getValue());
            index++;
        }
        Map<String, String> extra = new TreeMap<>(options.gatewayProperties());
        extra.putAll(properties);
        extra.forEach((name, value) -> arguments.add("--" + name + "=" + value));
        return arguments;
    }

    /** {@code RELAYGATE_CHAIN_ETH_MAINNET_URL=https://…} adds the EVM chain {@code eth-mainnet}. */
    private Map<String, String> extraChains() {
        Map<String, String> chains = new TreeMap<>();
        options.environment().forEach((name, value) -> {
            if (name.startsWith(EXTRA_CHAIN_PREFIX) && name.endsWith("_URL") && !value.isBlank()) {
                String id = name.substring(EXTRA_CHAIN_PREFIX.length(), name.length() - "_URL".length())
                    .toLowerCase(Locale.ROOT).replace('_', '-');
                chains.put(id, value);
            }
        });
        return chains;
    }

    private ChildProcess service(String module, List<String> arguments, Map<String, String> environment) {
        return service(module, module, arguments, environment);
    }

    /** Starts {@code module}'s runnable jar as the process {@code name}, logging to {@code logs/<name>.log}. */
    private ChildProcess service(String module, String name, List<String> arguments, Map<String, String> environment) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(recommendedJvmFlags(module));
        String javaOptions = options.env("RELAYGATE_JAVA_OPTS");
        if (javaOptions != null) {
            command.addAll(List.of(javaOptions.trim().split("\\s+")));
        }
        command.addAll(List.of("-jar", runnableJar(module).toString()));
        command.addAll(arguments);
        return ChildProcess.start(name, command, environment, options.dataDir().resolve("logs/" + name + ".log"),
                options.dataDir());
    }

    /**
     * The JVM flags the docs recommend for a service ({@code deploy/<module>.jvm.options}, one per line, {@code #}
     * comments), so the local stack runs as a deployment would; {@code RELAYGATE_JAVA_OPTS} comes after and wins.
     */
    private List<String> recommendedJvmFlags(String module) {
        Path file = options.root().resolve("deploy").resolve(module + ".jvm.options");
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try {
            return Files.readAllLines(file).stream()
                .map(String::trim)
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .toList();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path runnableJar(String module) {
        Path target = options.root().resolve(module).resolve("target");
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, module + "-*-exec.jar")) {
            for (Path jar : jars) {
                return jar;
            }
        }
        catch (IOException e) {
            // reported below
        }
        throw new IllegalStateException("No runnable jar in " + target + ": build first (./mvnw -DskipTests package).");
    }

    private static Properties buildProperties() {
        Properties properties = new Properties();
        try (InputStream in = LocalStack.class.getResourceAsStream("/local-stack.properties")) {
            properties.load(in);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    private <T extends AutoCloseable> T track(T component) {
        running.add(component);
        return component;
    }

    private ChildProcess track(ChildProcess child) {
        children.add(child);
        running.add(() -> child.stop(Duration.ofSeconds(15)));
        return child;
    }

    private static String managementUrl(int port) {
        return "http://127.0.0.1:" + port + "/actuator/health";
    }

    /** The first gateway's URL. */
    public String gatewayUrl() {
        return gatewayUrl(0);
    }

    /** The URL of gateway {@code index} (0 is the first), the same across its restarts. */
    public String gatewayUrl(int index) {
        return "http://127.0.0.1:" + gateways.get(index).port;
    }

    public String gatewayManagementUrl() {
        return "http://127.0.0.1:" + gateways.get(0).managementPort;
    }

    public int gatewayCount() {
        return gateways.size();
    }

    /** Where gateway {@code index} keeps its usage spool, the same across its restarts. */
    public Path gatewaySpoolDirectory(int index) {
        return gateways.get(index).spoolDirectory;
    }

    /** Stops gateway {@code index}: gracefully (SIGTERM, it flushes and spools) or by SIGKILL, as a crash would. */
    public void stopGateway(int index, Stop how) {
        Gateway gateway = gateways.get(index);
        stop(gateway.process, how);
    }

    /**
     * Starts gateway {@code index} again on its ports and spool directory (so it replays what it spooled), with
     * {@code properties} on top of the stack's gateway properties, and returns once it is ready.
     */
    public void startGateway(int index, Map<String, String> properties) {
        Gateway gateway = gateways.get(index);
        requireStopped(gateway.process);
        ChildProcess started = service("gateway", gateway.name, gatewayArguments(gateway, properties), options.gatewayEnvironment());
        replaceChild(gateway.process, started);
        gateway.process = started;
        awaitReady(started, gateway.managementPort);
    }

    /** Stops the control plane gracefully (SIGTERM). */
    public void stopControlPlane() {
        stop(controlPlane, Stop.GRACEFULLY);
    }

    /** Starts the control plane again on its ports and returns once it is ready. */
    public void startControlPlane() {
        requireStopped(controlPlane);
        ChildProcess started = service("control-plane", controlPlaneArguments(), options.controlPlaneEnvironment());
        replaceChild(controlPlane, started);
        controlPlane = started;
        awaitReady(started, controlPlaneManagementPort);
    }

    /** Stops the embedded Redis as {@code SHUTDOWN} does; what it acknowledged is in its append-only file. */
    public void stopRedis() {
        redis.stopAndWait();
    }

    /** Starts the embedded Redis again on the same port; it reloads its data. */
    public void startRedis() {
        redis.startAgain();
    }

    /** How a service is stopped. */
    public enum Stop {
        /** SIGTERM: the service shuts down gracefully (killed if it takes longer than 30 s). */
        GRACEFULLY,
        /** SIGKILL: the process ends at once, as in a crash. */
        KILL
    }

    private static void stop(ChildProcess child, Stop how) {
        if (how == Stop.KILL) {
            child.kill();
        }
        else {
            child.stop(Duration.ofSeconds(30));
        }
    }

    private static void requireStopped(ChildProcess child) {
        if (child.process().isAlive()) {
            throw new IllegalStateException(child.name() + " is running: stop it first");
        }
    }

    private void replaceChild(ChildProcess old, ChildProcess replacement) {
        synchronized (children) {
            children.remove(old);
            children.add(replacement);
        }
    }

    public String controlPlaneUrl() {
        return "http://127.0.0.1:" + controlPlanePort;
    }

    /** The customer portal's page, whose sign-in is the stack's development identity provider. */
    public String portalUrl() {
        return controlPlaneUrl() + "/portal/";
    }

    public String anvilUrl() {
        return "http://127.0.0.1:" + anvilPort;
    }

    public String redisUrl() {
        return redis.url();
    }

    public DevTokens tokens() {
        return new DevTokens(secrets.jwtSecret());
    }

    /** The control-plane API as a platform admin. */
    public ControlPlaneApi admin() {
        return new ControlPlaneApi(controlPlaneUrl(), tokens().mint("local-admin", true, Duration.ofHours(12)));
    }

    /** Completes when any component process exits. */
    CompletableFuture<ChildProcess> anyChildExit() {
        List<CompletableFuture<ChildProcess>> exits = new ArrayList<>();
        synchronized (children) {
            for (ChildProcess child : children) {
                exits.add(child.process().onExit().thenApply(p -> child));
            }
        }
        return CompletableFuture.anyOf(exits.toArray(CompletableFuture[]::new)).thenApply(ChildProcess.class::cast);
    }

    /** Stops everything that was started, last started first. Safe to call more than once. */
    @Override
    public void close() {
        List<AutoCloseable> toStop;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toStop = new ArrayList<>(running);
        }
        Collections.reverse(toStop);
        for (AutoCloseable component : toStop) {
            try {
                component.close();
            }
            catch (Exception e) {
                log.warn("Stopping a component failed: {}", e.toString());
            }
        }
    }

    public static void main(String[] args) {
        long started = System.nanoTime();
        Path root = findRoot();
        StackOptions options = StackOptions.developer(root);
        LocalStack stack;
        try {
            stack = LocalStack.start(options);
        }
        catch (RuntimeException e) {
            log.error("The local stack did not start: {}", e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "local-stack-stop"));
        String demoKey;
        String organizationId;
        try {
            ControlPlaneApi admin = stack.admin();
            organizationId = stack.demoOrganization(admin);
            demoKey = admin.createKey(organizationId, "local demo").get("secret").asString();
        }
        catch (RuntimeException e) {
            log.error("The stack started but the demo key could not be created: {}", e.getMessage());
            System.exit(1);
            return;
        }
        log.info(stack.welcome(organizationId, demoKey, (System.nanoTime() - started) / 1_000_000));
        ChildProcess exited = stack.anyChildExit().join();
        log.error("{} stopped unexpectedly; stopping the stack. Its last lines:\n{}", exited.name(), exited.tail());
        System.exit(1);
    }

    private String demoOrganization(ControlPlaneApi admin) {
        String existing = secrets.demoOrganization();
        if (existing != null) {
            try {
                admin.send("GET", "/v1/organizations/" + existing + "/keys", null, 200);
                return existing;
            }
            catch (IllegalStateException e) {
                log.info("The demo organization {} is gone; creating a new one.", existing);
            }
        }
        String created = admin.createOrganization("Demo");
        secrets.demoOrganization(created);
        return created;
    }

    private String welcome(String organizationId, String demoKey, long startedMillis) {
        String adminToken = tokens().mint("local-admin", true, Duration.ofHours(12));
        return """

                Relaygate is running (started in %.1f s). Ctrl-C stops everything.

                  gateway        %s/v1/anvil/{apiKey}   (actuator %s/actuator)
                  control plane  %s/v1   (OpenAPI %s/v3/api-docs)
                  portal         %s   (development sign-in: any user id, no password)
                  anvil          %s   (chain id %d)
                  postgres       %s
                  redis          %s
                  data and logs  %s

                Demo organization %s, demo key %s

                Try it:
                  curl -s %s/v1/anvil/%s -H 'Content-Type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}'

                Admin token (valid 12 h) for the control-plane REST API:
                  export RELAYGATE_TOKEN=%s
                  curl -s -H "Authorization: Bearer $RELAYGATE_TOKEN" %s/v1/organizations/%s/keys
                """.formatted(startedMillis / 1000.0, gatewayUrl(), gatewayManagementUrl(), controlPlaneUrl(),
                controlPlaneUrl(), portalUrl(), anvilUrl(), Anvil.CHAIN_ID, postgres.describe(), redis.describe(),
                options.dataDir(), organizationId, demoKey, gatewayUrl(), demoKey, adminToken, controlPlaneUrl(),
                organizationId);
    }

    private static Path findRoot() {
        String configured = System.getProperty("relaygate.root");
        Path dir = Path.of(configured != null ? configured : "").toAbsolutePath();
        for (Path candidate = dir; candidate != null; candidate = candidate.getParent()) {
            if (Files.isRegularFile(candidate.resolve("gateway/pom.xml"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("Run the local stack from inside the Relaygate repository.");
    }

    /** One gateway of the stack: its ports and spool folder stay the same when it is started again. */
    private static final class Gateway {

        final String name;

        final int port;

        final int managementPort;

        final Path spoolDirectory;

        volatile ChildProcess process;

        Gateway(String name, int port, int managementPort, Path spoolDirectory) {
            this.name = name;
            this.port = port;
            this.managementPort = managementPort;
            this.spoolDirectory = spoolDirectory;
        }
    }
}
