package dev.relaygate.loadtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import dev.relaygate.gateway.ratelimit.MethodWeights;
import dev.relaygate.gateway.usage.UsageProperties;
import dev.relaygate.local.ControlPlaneApi;
import dev.relaygate.local.LocalStack;
import dev.relaygate.local.StackOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue #15's reconciliation proofs, on real processes: two gateways sharing Redis and the control plane relay
 * thousands of single and batched calls to Anvil; the usage the control plane answers
 * ({@code GET /v1/organizations/{id}/usage}, what users see) must equal, per key, the calls the clients saw served
 * and the compute units of the gateway's own {@link MethodWeights} — exactly, also across a Redis outage and a
 * control-plane restart. A gateway killed by SIGKILL under load loses at most what the docs say it may, under
 * every spool fsync policy; the figure is logged.
 *
 * <p>A batch delivered twice and a consumer dying between read and acknowledgement are proved where they can be
 * caused precisely, in the control plane's {@code UsageConsumptionIT}.
 */
class UsageReconciliationIT {

    private static final Logger log = LoggerFactory.getLogger(UsageReconciliationIT.class);

    private static final MethodWeights WEIGHTS = MethodWeights.defaults();

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final int WORKERS = 6;

    private static final long CALLS = 10_000;

    private static final Duration REDIS_OUTAGE = Duration.ofSeconds(10);

    /** The pipeline's delay plus a slow machine: the gateways flush every second, the consumer reads continuously. */
    private static final Duration PATIENCE = Duration.ofMinutes(4);

    /**
     * What a SIGKILL may lose of a gateway's usage (docs/usage-and-quotas.md, "What kill -9 can lose"): the calls
     * recorded since the last flush ({@code flush-interval}, 1 s) plus a flush in progress ({@code send-timeout}, 2 s).
     */
    private static final Duration KILL_LOSS_WINDOW = Duration.ofSeconds(3);

    private static LocalStack stack;

    private static ControlPlaneApi admin;

    private static String planId;

    @BeforeAll
    static void startStack() throws IOException {
        Path root = Path.of(System.getProperty("relaygate.root", "..")).toAbsolutePath().normalize();
        Path data = root.resolve("load-tests/target/usage-stack");
        deleteRecursively(data);
        // The gateways start with the first fsync policy, so the SIGKILL test needs no restart for it.
        StackOptions options = StackOptions.test(root, data).withGateways(2)
            .withGatewayProperties(fsync(UsageProperties.Fsync.values()[0]));
        Map<String, String> environment = new HashMap<>(options.environment());
        // Four JVMs start and restart on a shared machine: C1 only starts them in far less CPU, and what is
        // measured here is exactness, not speed.
        environment.putIfAbsent("RELAYGATE_JAVA_OPTS", "-XX:TieredStopAtLevel=1");
        stack = LocalStack.start(new StackOptions(options.root(), options.dataDir(), options.fixedPorts(), environment,
                options.controlPlaneEnvironment(), options.gatewayEnvironment(), options.gateways(),
                options.gatewayProperties()));
        admin = stack.admin();
        // Limits far above anything the clients send, so that every call is admitted and metered as relayed.
        ObjectNode plan = JSON.createObjectNode()
            .put("name", "reconciliation-" + UUID.randomUUID().toString().substring(0, 8))
            .put("computeUnitsPerSecond", 1_000_000).put("burstComputeUnits", 10_000_000)
            .put("computeUnitsPerMinute", 600_000_000).put("monthlyComputeUnits", 0)
            .put("maxBatchSize", 100).put("maxBodyBytes", 1_048_576).put("publicPlan", false);
        plan.putArray("allowedChains");
        plan.putArray("methodClasses").add("standard");
        planId = admin.send("POST", "/v1/plans", plan, 201).get("id").asString();
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void tenThousandCallsThroughTwoGatewaysAreCountedOnceWithTheirWeights() {
        Customer customer = customer("reconciliation", 3);
        RelayLoad load = RelayLoad.start(customer.targets(0, 1), WORKERS, WEIGHTS);

        awaitAnswered(load, CALLS);
        load.stop();

        assertCountedExactly(customer, load);
    }

    @Test
    void aTenSecondRedisOutageMidRunLosesAndDoublesNothing() {
        Customer customer = customer("redis outage", 3);
        RelayLoad load = RelayLoad.start(customer.targets(0, 1), WORKERS, WEIGHTS);
        awaitAnswered(load, CALLS / 3);

        stack.stopRedis();
        long atStop = load.answeredCalls();
        keepRunningFor(REDIS_OUTAGE, load);
        long duringOutage = load.answeredCalls() - atStop;
        stack.startRedis();
        awaitAnswered(load, Math.max(CALLS, load.answeredCalls() + CALLS / 5));
        load.stop();

        log.info("Redis outage of {} s: the gateways served {} calls while Redis was down", REDIS_OUTAGE.toSeconds(),
                duringOutage);
        assertThat(duringOutage).as("calls served while Redis was down").isPositive();
        assertCountedExactly(customer, load);
    }

    @Test
    void aControlPlaneStoppedAndRestartedMidRunLosesAndDoublesNothing() {
        Customer customer = customer("control plane restart", 3);
        RelayLoad load = RelayLoad.start(customer.targets(0, 1), WORKERS, WEIGHTS);
        awaitAnswered(load, CALLS / 3);

        stack.stopControlPlane();
        long atStop = load.answeredCalls();
        awaitAnswered(load, atStop + CALLS / 5);
        long whileDown = load.answeredCalls() - atStop;
        stack.startControlPlane();
        awaitAnswered(load, Math.max(CALLS, load.answeredCalls() + CALLS / 10));
        load.stop();

        log.info("Control plane restart: the gateways served at least {} calls while it was down", whileDown);
        assertCountedExactly(customer, load);
    }

    /**
     * For each fsync policy: the second gateway, started with it, serves one key while Redis goes down (so it
     * spools), is killed by SIGKILL under load, and is started again on the same spool directory once Redis is
     * back, which replays the spool. The calls the clients saw answered 2xx minus what the control plane counted
     * is the loss; it may be at most the calls answered within {@link #KILL_LOSS_WINDOW} before the kill (the
     * policy bounds what a machine crash loses of the spool, not what a process kill does: spooled lines are in
     * the page cache either way).
     */
    @Test
    void aGatewayKilledUnderLoadLosesAtMostItsLastFlushOfUsageUnderEveryFsyncPolicy() throws IOException {
        UsageProperties.Fsync[] policies = UsageProperties.Fsync.values();
        Customer customer = customer("sigkill", policies.length);
        int killed = 1;
        Path spool = stack.gatewaySpoolDirectory(killed).resolve("usage.spool");
        Map<UsageProperties.Fsync, Kill> kills = new LinkedHashMap<>();
        for (int i = 0; i < policies.length; i++) {
            UsageProperties.Fsync policy = policies[i];
            String keyId = customer.keyIds().get(i);
            if (i > 0) {
                // Replays the previous policy's spool; the stack started the gateway with the first policy.
                stack.startGateway(killed, fsync(policy));
            }
            RelayLoad load = RelayLoad.start(List.of(customer.target(keyId, killed)), WORKERS, WEIGHTS);
            // Long enough on each side that the loss window before the kill falls inside the outage, after
            // batches were already spooled: those, and everything before the outage, must all be counted.
            awaitAnswered(load, CALLS / 5, KILL_LOSS_WINDOW);
            stack.stopRedis();
            long atOutage = load.answeredCalls();
            awaitAnswered(load, atOutage + CALLS / 10, KILL_LOSS_WINDOW.multipliedBy(2));
            await().atMost(PATIENCE).until(() -> Files.exists(spool) && Files.size(spool) > 0);

            stack.stopGateway(killed, LocalStack.Stop.KILL);
            long killedAt = System.nanoTime();
            load.stop();
            long spooledBytes = Files.size(spool);
            stack.startRedis();
            kills.put(policy, new Kill(keyId, load.seen(keyId),
                    load.callsAnsweredSince(keyId, killed, killedAt - KILL_LOSS_WINDOW.toNanos()), spooledBytes));
        }
        // Back to the stack's properties, replaying the last policy's spool.
        stack.startGateway(killed, Map.of());
        await().atMost(PATIENCE).until(() -> !Files.exists(spool) || Files.size(spool) == 0);
        Map<String, Usage> counted = awaitUsageSettled(customer.organizationId());

        kills.forEach((policy, kill) -> {
            Usage usage = counted.getOrDefault(kill.keyId(), Usage.NONE);
            long lost = kill.seen().served() - usage.calls();
            log.info("SIGKILL with fsync {}: clients saw {} calls answered 2xx ({} cut off by the kill), the control "
                    + "plane counted {}: {} lost (bound: {} answered in the last {} s before the kill); {} bytes were "
                    + "spooled at the kill", policy.name().toLowerCase(Locale.ROOT), kill.seen().served(), kill.seen().unanswered(),
                    usage.calls(), lost, kill.answeredInWindow(), KILL_LOSS_WINDOW.toSeconds(), kill.spooledBytes());
            assertThat(kill.spooledBytes()).as("%s: the gateway had spooled when it was killed", policy).isPositive();
            assertThat(usage.calls()).as("%s: counted, at most what was served or cut off", policy)
                .isLessThanOrEqualTo(kill.seen().served() + kill.seen().unanswered());
            assertThat(lost).as("%s: calls lost", policy).isLessThanOrEqualTo(kill.answeredInWindow());
            assertThat(kill.answeredInWindow()).as("%s: the bound is not the whole run", policy)
                .isLessThan(kill.seen().served());
            assertThat(usage.rateLimited()).isZero();
        });
    }

    private static Map<String, String> fsync(UsageProperties.Fsync policy) {
        return Map.of("relaygate.usage.spool.fsync", policy.name().toLowerCase(Locale.ROOT));
    }

    private static void assertCountedExactly(Customer customer, RelayLoad load) {
        Map<String, Usage> expected = new HashMap<>();
        long total = 0;
        for (String keyId : customer.keyIds()) {
            RelayLoad.Seen seen = load.seen(keyId);
            // What exactness is measured against: every call answered, each with a result.
            assertThat(seen.unanswered()).as("calls without a 2xx answer for key %s", keyId).isZero();
            assertThat(seen.errors()).as("calls answered with an error for key %s", keyId).isZero();
            expected.put(keyId, new Usage(seen.served(), seen.computeUnits(), 0, 0));
            total += seen.served();
        }
        assertThat(total).isGreaterThanOrEqualTo(CALLS);

        await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(1))
            .untilAsserted(() -> assertThat(usage(customer.organizationId())).isEqualTo(expected));
        // Nothing arrives later to count a batch twice: the totals stay exact.
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
            .untilAsserted(() -> assertThat(usage(customer.organizationId())).isEqualTo(expected));
        log.info("Counted exactly: {} calls, {} CU over {} keys", total,
                expected.values().stream().mapToLong(Usage::computeUnits).sum(), expected.size());
    }

    /** Usage per key once it stops changing: the same answer twice, five seconds apart. */
    private static Map<String, Usage> awaitUsageSettled(String organizationId) {
        List<Map<String, Usage>> last = new ArrayList<>(List.of(Map.of()));
        await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(5)).until(() -> {
            Map<String, Usage> now = usage(organizationId);
            boolean settled = !now.isEmpty() && now.equals(last.get(0));
            last.set(0, now);
            return settled;
        });
        return last.get(0);
    }

    /** The organization's usage per key id from the REST API, summed over the days around today (UTC). */
    private static Map<String, Usage> usage(String organizationId) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        JsonNode answer = admin.send("GET", "/v1/organizations/" + organizationId + "/usage?from=" + today.minusDays(1)
                + "&to=" + today.plusDays(2) + "&granularity=day&groupBy=key", null, 200);
        Map<String, Usage> perKey = new HashMap<>();
        for (JsonNode row : answer.get("rows")) {
            Usage usage = new Usage(row.get("calls").asLong(), row.get("computeUnits").asLong(),
                    row.get("errors").asLong(), row.get("rateLimited").asLong());
            perKey.merge(row.get("group").asString(), usage, Usage::plus);
        }
        return perKey;
    }

    private static void awaitAnswered(RelayLoad load, long calls) {
        awaitAnswered(load, calls, Duration.ZERO);
    }

    /** Waits until the clients saw {@code calls} answered in all, and at least {@code minimum} passed from now. */
    private static void awaitAnswered(RelayLoad load, long calls, Duration minimum) {
        long from = System.nanoTime();
        await().atMost(PATIENCE.plus(minimum)).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertThat(load.running()).as("the clients are running").isTrue();
            return load.answeredCalls() >= calls && System.nanoTime() - from >= minimum.toNanos();
        });
    }

    /** The fault lasts this long while the clients keep sending (the outage's length is the scenario). */
    private static void keepRunningFor(Duration duration, RelayLoad load) {
        await().pollDelay(duration).atMost(duration.plusMinutes(1)).until(load::running);
    }

    /** A new organization on the test plan, with {@code keys} keys. */
    private static Customer customer(String name, int keys) {
        String organizationId = admin.createOrganization(name);
        admin.send("PUT", "/v1/organizations/" + organizationId + "/plan",
                JSON.createObjectNode().put("planId", planId), 200);
        Map<String, String> secrets = new LinkedHashMap<>();
        for (int i = 0; i < keys; i++) {
            JsonNode key = admin.createKey(organizationId, name + " " + i);
            secrets.put(key.get("id").asString(), key.get("secret").asString());
        }
        return new Customer(organizationId, secrets);
    }

    /** An organization and its keys (id to secret). */
    private record Customer(String organizationId, Map<String, String> secrets) {

        List<String> keyIds() {
            return List.copyOf(secrets.keySet());
        }

        RelayLoad.Target target(String keyId, int gateway) {
            return new RelayLoad.Target(gateway, stack.gatewayUrl(gateway) + "/v1/anvil/" + secrets.get(keyId), keyId);
        }

        /** Every key through every one of {@code gateways}. */
        List<RelayLoad.Target> targets(int... gateways) {
            List<RelayLoad.Target> targets = new ArrayList<>();
            for (String keyId : secrets.keySet()) {
                for (int gateway : gateways) {
                    targets.add(target(keyId, gateway));
                }
            }
            return targets;
        }
    }

    /** One key's usage as the API answers it. */
    private record Usage(long calls, long computeUnits, long errors, long rateLimited) {

        static final Usage NONE = new Usage(0, 0, 0, 0);

        Usage plus(Usage other) {
            return new Usage(calls + other.calls, computeUnits + other.computeUnits, errors + other.errors,
                    rateLimited + other.rateLimited);
        }
    }

    /** What the clients saw of one policy's kill. */
    private record Kill(String keyId, RelayLoad.Seen seen, long answeredInWindow, long spooledBytes) {
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
