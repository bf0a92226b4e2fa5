package dev.relaygate.controlplane.billing;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;

import dev.relaygate.controlplane.key.ApiKeyFormat;
import dev.relaygate.controlplane.plan.Plan;
import dev.relaygate.controlplane.testsupport.Invalidations;
import dev.relaygate.controlplane.testsupport.StripeIntegrationTest;
import dev.relaygate.controlplane.testsupport.TestStripe;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Stripe webhook: signed exactly as Stripe signs, stored once by event id, and applied from the subscription's
 * current state in Stripe, whatever the order of delivery. Plan changes reach Redis (what gateways enforce).
 */
class StripeWebhookIT extends StripeIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String FREE = Plan.FREE_PLAN_ID.toString();

    @Autowired
    private GraceSweeper graceSweeper;

    /** An organization with one key and a Stripe customer, and a plan sold at a price of its own. */
    private record Customer(String owner, UUID org, String customer, String keyHash, String paidPlan, String price,
            String subscription) {
    }

    private Customer customer() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        String hash = ApiKeyFormat.sha256Hex((String) createKey(owner, org).get("secret"));
        String price = uniquePrice();
        String plan = createPaidPlan(price);
        return new Customer(owner, org, linkCustomer(org), hash, plan, price, "sub_" + shortId());
    }

    private static String shortId() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    private static String eventId() {
        return "evt_" + shortId();
    }

    private String planOf(UUID org) {
        return db.sql("select plan_id from organizations where id = :id").bind("id", org)
            .map(row -> row.get("plan_id", UUID.class).toString()).one().block();
    }

    private String snapshotPlan(String keyHash) {
        return JSON.readTree(redis().get("rg:key:" + keyHash)).get("planId").asString();
    }

    private String subscriptionEvent(Customer c, String type, String status) {
        return event(eventId(), "customer.subscription." + type, clock.instant().getEpochSecond(),
                subscription(c.subscription(), c.customer(), status, c.price()));
    }

    private String invoiceEvent(Customer c, String type, String status) {
        return event(eventId(), type, clock.instant().getEpochSecond(), """
                {"id": "in_%s", "object": "invoice", "customer": "%s", "status": "%s", "currency": "usd",
                 "amount_due": 4900, "amount_paid": %d, "created": %d, "livemode": false,
                 "parent": {"type": "subscription_details", "quote_details": null,
                   "subscription_details": {"subscription": "%s", "metadata": {}}}}"""
            .formatted(shortId(), c.customer(), status, "paid".equals(status) ? 4900 : 0,
                    clock.instant().getEpochSecond(), c.subscription()));
    }

    @Test
    void checkoutCompletedPutsTheOrganizationOnThePaidPlanAndGatewaysAreToldWithinASecond() {
        // Warm-up: the first Stripe call of a JVM loads stripe-java and Gson, which is not what the 1 s is about.
        Customer warm = customer();
        stubSubscription(warm.subscription(), warm.customer(), "active", warm.price());
        webhook(subscriptionEvent(warm, "created", "active")).expectStatus().isOk();
        Customer c = customer();
        db.sql("update organizations set stripe_customer_id = null where id = :id").bind("id", c.org())
            .fetch().rowsUpdated().block();
        stubSubscription(c.subscription(), c.customer(), "active", c.price());
        String session = """
                {"id": "cs_test_%s", "object": "checkout.session", "mode": "subscription", "status": "complete",
                 "payment_status": "paid", "customer": "%s", "subscription": "%s", "client_reference_id": "%s",
                 "livemode": false, "url": null}""".formatted(shortId(), c.customer(), c.subscription(), c.org());
        try (Invalidations invalidations = new Invalidations(redisClient())) {
            long started = System.nanoTime();

            webhook(event(eventId(), "checkout.session.completed", clock.instant().getEpochSecond(), session))
                .expectStatus().isOk()
                .expectBody().jsonPath("$.received").isEqualTo(true).jsonPath("$.duplicate").isEqualTo(false);

            assertThat(planOf(c.org())).isEqualTo(c.paidPlan());
            assertThat(snapshotPlan(c.keyHash())).isEqualTo(c.paidPlan());
            await().atMost(Duration.ofSeconds(1)).until(() -> invalidations.anyContains(c.keyHash()));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
        }
        Map<String, Object> overview = ok(c.owner(), HttpMethod.GET, "/v1/organizations/" + c.org() + "/billing",
                null, 200);
        assertThat(overview).containsEntry("planId", c.paidPlan());
        assertThat(subscriptionOf(overview)).containsEntry("status", "active")
            .containsEntry("id", c.subscription()).containsEntry("currentPeriodEnd", "2026-02-01T00:00:00Z");
        // The plan change is audited as the billing system's act.
        assertThat(db.sql("select actor from audit_log where organization_id = :org and action = 'organization.plan'")
            .bind("org", c.org()).map(row -> row.get("actor", String.class)).all().collectList().block())
            .containsExactly("relaygate:billing");
    }

    @Test
    void aRedeliveredEventIsStoredOnceAndNotProcessedAgain() {
        Customer c = customer();
        stubSubscription(c.subscription(), c.customer(), "active", c.price());
        String body = subscriptionEvent(c, "updated", "active");

        webhook(body).expectStatus().isOk().expectBody().jsonPath("$.duplicate").isEqualTo(false);
        webhook(body).expectStatus().isOk().expectBody().jsonPath("$.duplicate").isEqualTo(true);

        String id = JSON.readTree(body).get("id").asString();
        assertThat(db.sql("select count(*) as n from stripe_events where id = :id and processed_at is not null")
            .bind("id", id).map(row -> row.get("n", Long.class)).one().block()).isEqualTo(1L);
        stripe().verify(1, getRequestedFor(urlPathEqualTo("/v1/subscriptions/" + c.subscription())));
    }

    @Test
    void refusesABadSignatureAStaleOneAndOneFromTheFutureAndStoresNothing() {
        Customer c = customer();
        stubSubscription(c.subscription(), c.customer(), "active", c.price());
        Instant now = clock.instant();
        String body = subscriptionEvent(c, "updated", "active");

        webhook(body, "whsec_notOurs0123456789", now).expectStatus().isBadRequest()
            .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .expectBody().jsonPath("$.title").isEqualTo("Invalid signature");
        webhook(body, TestStripe.WEBHOOK_SECRET, now.minusSeconds(301)).expectStatus().isBadRequest();
        webhook(body, TestStripe.WEBHOOK_SECRET, now.plusSeconds(60)).expectStatus().isBadRequest();
        http.post().uri("/stripe/webhook").contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
            .expectStatus().isBadRequest();

        assertThat(db.sql("select count(*) as n from stripe_events where id = :id")
            .bind("id", JSON.readTree(body).get("id").asString()).map(row -> row.get("n", Long.class)).one().block())
            .isZero();
        assertThat(planOf(c.org())).isEqualTo(FREE);
        stripe().verify(0, getRequestedFor(urlPathEqualTo("/v1/subscriptions/" + c.subscription())));
    }

    @Test
    void acceptsEventsSignedWithTheSecretBeingRotatedOut() {
        Customer c = customer();
        stubSubscription(c.subscription(), c.customer(), "active", c.price());

        webhook(subscriptionEvent(c, "created", "active"), TestStripe.PREVIOUS_WEBHOOK_SECRET, clock.instant())
            .expectStatus().isOk();

        assertThat(planOf(c.org())).isEqualTo(c.paidPlan());
    }

    @Test
    void theSubscriptionLifecycleEndsInTheSameStateWhateverTheDeliveryOrder() {
        for (List<Integer> order : permutations(List.of(0, 1, 2, 3))) {
            Customer c = customer();
            // By the time deliveries arrive, Stripe's subscription is where the lifecycle ended: canceled.
            stubSubscription(c.subscription(), c.customer(), "canceled", c.price());
            List<String> lifecycle = List.of(subscriptionEvent(c, "created", "incomplete"),
                    invoiceEvent(c, "invoice.paid", "paid"), subscriptionEvent(c, "updated", "active"),
                    subscriptionEvent(c, "deleted", "canceled"));

            for (int index : order) {
                webhook(lifecycle.get(index)).expectStatus().isOk();
            }

            assertThat(planOf(c.org())).as("order %s", order).isEqualTo(FREE);
            assertThat(snapshotPlan(c.keyHash())).as("order %s", order).isEqualTo(FREE);
            Map<String, Object> overview = ok(c.owner(), HttpMethod.GET,
                    "/v1/organizations/" + c.org() + "/billing", null, 200);
            assertThat(subscriptionOf(overview)).as("order %s", order)
                .containsEntry("status", "canceled");
        }
    }

    @Test
    void aLateEventAboutAnEndedOlderSubscriptionDoesNotDisplaceTheOneInForce() {
        Customer c = customer();
        stubSubscription(c.subscription(), c.customer(), "active", c.price());
        webhook(subscriptionEvent(c, "created", "active")).expectStatus().isOk();
        String older = "sub_" + shortId();
        stubSubscription(older, c.customer(), "canceled", c.price());

        webhook(event(eventId(), "customer.subscription.deleted", clock.instant().getEpochSecond(),
                subscription(older, c.customer(), "canceled", c.price()))).expectStatus().isOk();

        assertThat(planOf(c.org())).isEqualTo(c.paidPlan());
    }

    @Test
    void aFailedPaymentKeepsThePaidPlanForTheGracePeriodThenFallsBackToFree() {
        Customer c = customer();
        stubSubscription(c.subscription(), c.customer(), "active", c.price());
        webhook(subscriptionEvent(c, "created", "active")).expectStatus().isOk();
        stubSubscription(c.subscription(), c.customer(), "past_due", c.price());

        webhook(invoiceEvent(c, "invoice.payment_failed", "open")).expectStatus().isOk();

        assertThat(planOf(c.org())).isEqualTo(c.paidPlan());
        Map<String, Object> overview = ok(c.owner(), HttpMethod.GET, "/v1/organizations/" + c.org() + "/billing",
                null, 200);
        Map<String, Object> subscription = subscriptionOf(overview);
        assertThat(subscription).containsEntry("status", "past_due");
        Instant graceEnd = Instant.parse((String) subscription.get("graceEndsAt"));
        assertThat(graceEnd).isEqualTo(Instant.parse((String) subscription.get("pastDueSince")).plus(Duration.ofDays(3)));

        clock.advance(Duration.ofDays(3).minusMinutes(1));
        graceSweeper.sweep().block();
        assertThat(planOf(c.org())).as("within the grace").isEqualTo(c.paidPlan());

        clock.advance(Duration.ofMinutes(2));
        graceSweeper.sweep().block();
        assertThat(planOf(c.org())).as("after the grace").isEqualTo(FREE);
        assertThat(snapshotPlan(c.keyHash())).isEqualTo(FREE);

        // Paying later restores the paid plan.
        stubSubscription(c.subscription(), c.customer(), "active", c.price());
        webhook(invoiceEvent(c, "invoice.paid", "paid")).expectStatus().isOk();
        assertThat(planOf(c.org())).isEqualTo(c.paidPlan());
        assertThat(snapshotPlan(c.keyHash())).isEqualTo(c.paidPlan());
    }

    @Test
    void eventsBillingDoesNotHandleAreStoredAndAcknowledged() {
        String body = event(eventId(), "customer.created", clock.instant().getEpochSecond(),
                "{\"id\": \"cus_unrelated\", \"object\": \"customer\"}");

        webhook(body).expectStatus().isOk().expectBody().jsonPath("$.duplicate").isEqualTo(false);

        assertThat(stripe().getAllServeEvents()).isEmpty();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> subscriptionOf(Map<String, Object> overview) {
        return (Map<String, Object>) overview.get("subscription");
    }

    private static List<List<Integer>> permutations(List<Integer> items) {
        if (items.size() <= 1) {
            return List.of(items);
        }
        List<List<Integer>> all = new ArrayList<>();
        for (Integer first : items) {
            List<Integer> rest = new ArrayList<>(items);
            rest.remove(first);
            for (List<Integer> tail : permutations(rest)) {
                List<Integer> order = new ArrayList<>();
                order.add(first);
                order.addAll(tail);
                all.add(order);
            }
        }
        return all;
    }
}
