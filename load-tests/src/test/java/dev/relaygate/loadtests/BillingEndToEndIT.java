package dev.relaygate.loadtests;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
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

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.relaygate.loadtests.StripeStub.checkoutSession;
import static dev.relaygate.loadtests.StripeStub.event;
import static dev.relaygate.loadtests.StripeStub.failedInvoice;
import static dev.relaygate.loadtests.StripeStub.randomAlphanumeric;
import static dev.relaygate.loadtests.StripeStub.subscriptionObject;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Billing end to end (issue #16), on the real local stack: a Stripe Checkout, Stripe's webhooks and a missed
 * payment change what the <em>gateway admits</em>, not just a row or a header. The control plane runs as a process
 * with billing on, its stripe-java client pointed at a WireMock stub of the Stripe API; webhooks are signed here
 * the way Stripe signs them. Each plan is proven by measuring the compute units the gateway admits to a client
 * that sends faster than the free plan allows, held against bounds computed from the plans' burst and rate.
 */
class BillingEndToEndIT {

    private static final Logger log = LoggerFactory.getLogger(BillingEndToEndIT.class);

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String FREE_PLAN_ID = "00000000-0000-0000-0000-00000000f4ee";

    private static final Duration PAST_DUE_GRACE = Duration.ofSeconds(6);

    private static final Duration GRACE_SWEEP_INTERVAL = Duration.ofMillis(250);

    /** How long each admission measurement sends. */
    private static final Duration WINDOW = Duration.ofSeconds(2);

    /** Concurrent callers of a measurement: enough to outrun the free plan on a two-core machine. */
    private static final int CALLERS = 8;

    /** A cheap read for Anvil, priced 10 CU (docs/rate-limiting.md, "Method weights"). */
    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"eth_blockNumber\",\"params\":[]}";

    private static final long CALL_COST = 10;

    /**
     * Calls per request of a measurement: 200 CU for one HTTP request (a batch costs the sum), so that even a
     * machine that answers only a few dozen requests a second sends faster than the free plan allows.
     */
    private static final int CALLS_PER_REQUEST = 20;

    private static final String REQUEST = batch(CALLS_PER_REQUEST);

    private static final long COST = CALLS_PER_REQUEST * CALL_COST;

    /** How much more than the free plan could ever admit counts as "clearly above" it. */
    private static final double CLEARLY_ABOVE = 2.0;

    private static final HttpClient HTTP = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2))
        .build();

    private static StripeStub stripe;

    private static LocalStack stack;

    private static Path logs;

    @BeforeAll
    static void startStack() throws IOException {
        stripe = StripeStub.start();
        Path root = Path.of(System.getProperty("relaygate.root", "..")).toAbsolutePath().normalize();
        Path data = root.resolve("load-tests/target/billing-e2e-stack");
        deleteRecursively(data);
        logs = data.resolve("logs");
        Map<String, String> billing = new HashMap<>(stripe.controlPlaneEnvironment());
        billing.putAll(Map.of(
                "RELAYGATE_BILLING_PAST_DUE_GRACE", PAST_DUE_GRACE.toMillis() + "ms",
                "RELAYGATE_BILLING_GRACE_SWEEP_INTERVAL", GRACE_SWEEP_INTERVAL.toMillis() + "ms"));
        StackOptions options = StackOptions.test(root, data)
            .withControlPlaneEnvironment(billing)
            // As in PlanChangeAdmissionIT: on a loaded machine the limiter's 50 ms Redis budget now and then
            // switches to local buckets (degraded mode), which start full; this test measures plans, not that.
            .withGatewayEnvironment(Map.of("RELAYGATE_RATELIMIT_COMMAND_TIMEOUT", "2s"));
        stack = LocalStack.start(options);
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
        if (stripe != null) {
            stripe.close();
        }
    }

    @Test
    void aCheckoutRaisesWhatTheGatewayAdmitsAndAMissedPaymentLowersItAfterTheGracePeriod() throws Exception {
        ControlPlaneApi admin = stack.admin();
        ControlPlaneApi owner = new ControlPlaneApi(stack.controlPlaneUrl(),
                stack.tokens().mint("billing-e2e-owner", false, Duration.ofHours(1)));
        String organization = owner.createOrganization("Billing end-to-end");
        String apiKey = owner.createKey(organization, "billing e2e").get("secret").asString();
        String gateway = stack.gatewayUrl() + "/v1/anvil/" + apiKey;
        String price = "price_" + randomAlphanumeric(24);
        String paidPlanId = admin.send("POST", "/v1/plans", paidPlan(price), 201).get("id").asString();
        assertThat(owner.send("GET", "/v1/organizations/" + organization + "/billing", null, 200)
            .get("planId").asString()).as("a new organization starts on the free plan").isEqualTo(FREE_PLAN_ID);
        Limits free = Limits.of(admin.send("GET", "/v1/plans/" + FREE_PLAN_ID, null, 200));
        Limits paid = Limits.of(admin.send("GET", "/v1/plans/" + paidPlanId, null, 200));
        // A batch the free plan can never admit (it costs more than the free bucket holds) and the paid plan can.
        Probe probe = Probe.between(free, paid);

        // 1. On the free plan: held to its burst and rate.
        Admitted onFree = admitted(gateway);
        assertThat(onFree.refused()).as("the client sends faster than the free plan allows: %s", onFree).isPositive();
        assertHeldTo(onFree, free);

        // 2. Checkout: the customer is created, then the session, exactly as we mean to ask Stripe.
        String customer = "cus_" + randomAlphanumeric(14);
        String subscription = "sub_" + randomAlphanumeric(24);
        String checkoutUrl = stripe.stubCheckout(customer, "Billing end-to-end");
        JsonNode checkout = owner.send("POST", "/v1/organizations/" + organization + "/billing/checkout",
                JSON.createObjectNode().put("planId", paidPlanId), 200);
        assertThat(checkout.get("url").asString()).as("Stripe's Checkout URL, as Stripe answered it").isEqualTo(checkoutUrl);
        assertStripeWasAskedForACheckout(organization, paidPlanId, customer, price);

        // 3. The customer pays: Stripe says so with two webhooks; the subscription is re-read from Stripe.
        stripe.stubSubscription(subscription, customer, "active", price);
        deliver(event("checkout.session.completed", checkoutSession(organization, customer, subscription)));
        deliver(event("customer.subscription.created", subscriptionObject(subscription, customer, "active", price)));
        long answered = System.nanoTime();
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
            .until(() -> probe.admitted(gateway));
        Duration upgraded = Duration.ofNanos(System.nanoTime() - answered);
        assertThat(upgraded).as("the paid plan reaches the gateway within 1 s of the webhooks' answers")
            .isLessThan(Duration.ofSeconds(1));
        stripe.server().verify(2, getRequestedFor(urlPathEqualTo("/v1/subscriptions/" + subscription))
            .withHeader("Authorization", equalTo("Bearer " + stripe.apiKey())));

        Admitted onPaid = admitted(gateway);
        assertHeldTo(onPaid, paid);
        assertClearlyAboveFree(onPaid, free);

        // 4. A renewal fails: past due. The paid plan holds during the grace period...
        stripe.stubSubscription(subscription, customer, "past_due", price);
        Instant pastDueSent = Instant.now();
        deliver(event("invoice.payment_failed", failedInvoice(customer, subscription)));
        deliver(event("customer.subscription.updated", subscriptionObject(subscription, customer, "past_due", price)));
        JsonNode overview = owner.send("GET", "/v1/organizations/" + organization + "/billing", null, 200);
        assertThat(overview.get("planId").asString()).isEqualTo(paidPlanId);
        assertThat(overview.get("subscription").get("status").asString()).isEqualTo("past_due");
        Instant graceEnds = Instant.parse(overview.get("subscription").get("graceEndsAt").asString());
        assertThat(graceEnds).isAfterOrEqualTo(pastDueSent.plus(PAST_DUE_GRACE));

        Admitted inGrace = admitted(gateway);
        assertThat(Instant.now()).as("measured within the grace period (a machine too slow for this test?)")
            .isBefore(graceEnds);
        assertHeldTo(inGrace, paid);
        assertClearlyAboveFree(inGrace, free);

        // ...and once it has ended, the grace sweep moves the organization to the free plan. The probe is sent
        // no more often than the paid bucket refills its cost, so a refusal means the free plan, not a drained bucket.
        Duration probeEvery = probe.refillTime(paid).multipliedBy(3).dividedBy(2);
        AtomicReference<Instant> refused = new AtomicReference<>();
        await().pollDelay(probeEvery).pollInterval(probeEvery)
            .atMost(Duration.between(Instant.now(), graceEnds).plus(GRACE_SWEEP_INTERVAL).plusSeconds(1)
                .plus(probeEvery.multipliedBy(2)))
            .until(() -> {
                boolean admitted = probe.admitted(gateway);
                refused.set(admitted ? null : Instant.now());
                return !admitted;
            });
        assertThat(refused.get()).as("refused only once the grace period had ended").isAfterOrEqualTo(graceEnds);
        assertThat(owner.send("GET", "/v1/organizations/" + organization + "/billing", null, 200)
            .get("planId").asString()).isEqualTo(FREE_PLAN_ID);

        Admitted backOnFree = admitted(gateway);
        assertThat(backOnFree.refused()).isPositive();
        assertHeldTo(backOnFree, free);
        log.info("Admitted on free {}, on paid {} (the paid plan was admitted {} ms after the webhooks' answers), "
                + "in grace {}, after grace {} (refused {} ms after the grace period ended)", onFree, onPaid,
                upgraded.toMillis(), inGrace, backOnFree, Duration.between(graceEnds, refused.get()).toMillis());

        // 5. The captured process logs never show a secret: not the API key, not Stripe's key or webhook secret.
        // A forged webhook first, so that the control plane's billing code has something to log.
        String forged = event("invoice.paid", failedInvoice(customer, subscription));
        assertThat(StripeStub.webhook(stack.controlPlaneUrl(), forged, "whsec_" + randomAlphanumeric(32)).statusCode()).isEqualTo(400);
        await().atMost(Duration.ofSeconds(5))
            .until(() -> Files.readString(logs.resolve("control-plane.log"), StandardCharsets.ISO_8859_1)
                .contains("Refused a Stripe webhook"));
        assertLogsFreeOf(apiKey, stripe.apiKey(), stripe.webhookSecret());
    }

    // --- Stripe ---------------------------------------------------------------------------------------------

    private static void assertStripeWasAskedForACheckout(String organization, String plan, String customer,
            String price) {
        List<LoggedRequest> customers = stripe.server().findAll(postRequestedFor(urlEqualTo("/v1/customers")));
        assertThat(customers).hasSize(1);
        assertThat(customers.get(0).getHeader("Idempotency-Key")).isEqualTo("relaygate-customer-" + organization);
        assertThat(StripeStub.form(customers.get(0))).containsExactlyInAnyOrderEntriesOf(Map.of(
                "name", "Billing end-to-end",
                "metadata[relaygate_organization_id]", organization));

        List<LoggedRequest> sessions = stripe.server().findAll(postRequestedFor(urlEqualTo("/v1/checkout/sessions")));
        assertThat(sessions).hasSize(1);
        LoggedRequest session = sessions.get(0);
        assertThat(session.getHeader("Authorization")).isEqualTo("Bearer " + stripe.apiKey());
        assertThat(session.getHeader("Idempotency-Key"))
            .matches("relaygate-checkout-" + organization + "-" + plan + "-[0-9a-f]{32}");
        assertThat(StripeStub.form(session)).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                Map.entry("mode", "subscription"),
                Map.entry("customer", customer),
                Map.entry("client_reference_id", organization),
                Map.entry("line_items[0][price]", price),
                Map.entry("line_items[0][quantity]", "1"),
                Map.entry("success_url", StripeStub.SUCCESS_URL),
                Map.entry("cancel_url", StripeStub.CANCEL_URL),
                Map.entry("metadata[relaygate_organization_id]", organization),
                Map.entry("metadata[relaygate_plan_id]", plan),
                Map.entry("subscription_data[metadata][relaygate_organization_id]", organization),
                Map.entry("subscription_data[metadata][relaygate_plan_id]", plan)));
    }

    private static void deliver(String event) throws IOException, InterruptedException {
        stripe.deliver(stack.controlPlaneUrl(), event);
    }

    // --- Plans and admission -------------------------------------------------------------------------------------

    private static ObjectNode paidPlan(String price) {
        ObjectNode plan = JSON.createObjectNode()
            .put("name", "billing-e2e-" + UUID.randomUUID().toString().substring(0, 8))
            .put("computeUnitsPerSecond", 2_000).put("burstComputeUnits", 4_000)
            .put("computeUnitsPerMinute", 120_000).put("monthlyComputeUnits", 1_000_000_000L)
            .put("maxBatchSize", 100).put("maxBodyBytes", 1_048_576).put("publicPlan", true)
            .put("stripePriceId", price);
        plan.putArray("allowedChains");
        plan.putArray("methodClasses").add("standard");
        return plan;
    }

    /** What a plan lets through, as the gateway's limiter shapes it (docs/rate-limiting.md, "Buckets"). */
    private record Limits(String name, long burst, long perSecond, long perMinute, int maxBatchSize) {

        static Limits of(JsonNode plan) {
            return new Limits(plan.get("name").asString(), plan.get("burstComputeUnits").asLong(),
                    plan.get("computeUnitsPerSecond").asLong(), plan.get("computeUnitsPerMinute").asLong(),
                    plan.get("maxBatchSize").asInt());
        }

        /** The most a full bucket admits in {@code seconds}: each band's capacity plus its refill, the tighter one. */
        double ceiling(double seconds) {
            return Math.min(burst + perSecond * seconds, perMinute + perMinute / 60.0 * seconds);
        }
    }

    private static String batch(int calls) {
        return IntStream.range(0, calls).mapToObj(CALL::formatted).collect(Collectors.joining(",", "[", "]"));
    }

    /** A JSON-RPC batch costing more than the free plan's bucket can ever hold, and less than the paid one's. */
    private record Probe(String body, long cost) {

        static Probe between(Limits free, Limits paid) {
            int calls = Math.toIntExact(free.burst() / CALL_COST + 1);
            assertThat(calls).as("a probe within both plans' batch size, so only the limiter can refuse it")
                .isLessThanOrEqualTo(Math.min(free.maxBatchSize(), paid.maxBatchSize()));
            assertThat(calls * CALL_COST).as("a probe the paid plan can admit").isLessThanOrEqualTo(paid.burst());
            return new Probe(batch(calls), calls * CALL_COST);
        }

        boolean admitted(String url) throws IOException, InterruptedException {
            int status = call(url, body);
            assertThat(status).as("the probe is admitted or refused by the limiter").isIn(200, 429);
            return status == 200;
        }

        /** How long the plan's bucket takes to refill the probe's cost. */
        Duration refillTime(Limits plan) {
            return Duration.ofNanos((long) Math.ceil(cost * 1e9 / plan.perSecond()));
        }
    }

    private record Admitted(long units, long refused, double seconds) {
    }

    /**
     * Sends {@link #REQUEST} from {@link #CALLERS} concurrent callers for {@link #WINDOW} and counts the compute
     * units admitted (200) and the calls refused (429). The time is up to the last answer, so every decision
     * counted was made within it.
     */
    private static Admitted admitted(String url) throws Exception {
        long started = System.nanoTime();
        long deadline = started + WINDOW.toNanos();
        List<Future<long[]>> callers = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < CALLERS; i++) {
                callers.add(threads.submit(() -> {
                    long admitted = 0;
                    long refused = 0;
                    while (System.nanoTime() < deadline) {
                        int status = call(url, REQUEST);
                        if (status == 200) {
                            admitted++;
                        }
                        else if (status == 429) {
                            refused++;
                        }
                        else {
                            throw new AssertionError("Neither admitted nor refused by the limiter: " + status);
                        }
                    }
                    return new long[] {admitted, refused};
                }));
            }
            long admitted = 0;
            long refused = 0;
            for (Future<long[]> caller : callers) {
                long[] counts = caller.get();
                admitted += counts[0];
                refused += counts[1];
            }
            return new Admitted(admitted * COST, refused, (System.nanoTime() - started) / 1e9);
        }
    }

    /** Within what the plan allows over the time measured, one request of rounding aside. */
    private static void assertHeldTo(Admitted admitted, Limits plan) {
        assertThat((double) admitted.units())
            .as("CU admitted in %.2f s on plan %s", admitted.seconds(), plan.name())
            .isLessThanOrEqualTo(plan.ceiling(admitted.seconds()) + COST);
    }

    private static void assertClearlyAboveFree(Admitted admitted, Limits free) {
        assertThat((double) admitted.units())
            .as("CU admitted in %.2f s: clearly more than the free plan could ever admit", admitted.seconds())
            .isGreaterThan(CLEARLY_ABOVE * free.ceiling(admitted.seconds()));
    }

    private static int call(String url, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(5))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    // --- Logs --------------------------------------------------------------------------------------------------

    private static void assertLogsFreeOf(String... secrets) throws IOException {
        List<Path> files;
        try (Stream<Path> paths = Files.walk(logs)) {
            files = paths.filter(Files::isRegularFile).toList();
        }
        Map<String, String> contents = new HashMap<>();
        for (Path file : files) {
            contents.put(logs.relativize(file).toString(),
                    new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
        }
        assertThat(contents.keySet()).contains("control-plane.log", "gateway.log");
        for (String secret : secrets) {
            String distinctive = secret.substring(secret.lastIndexOf('_') + 1);
            contents.forEach((file, text) -> assertThat(text).as("%s must not contain a secret", file)
                .doesNotContain(secret).doesNotContain(distinctive));
        }
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
