package dev.relaygate.controlplane.testsupport;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.relaygate.controlplane.billing.StripeSignature;

/**
 * Base of integration tests with billing on: the application's stripe-java client points at {@link TestStripe},
 * and webhooks are signed here exactly as Stripe signs them. A second application context (billing off is the
 * default of {@link IntegrationTest}), shared by every class extending this one.
 */
public abstract class StripeIntegrationTest extends IntegrationTest {

    @DynamicPropertySource
    static void stripe(DynamicPropertyRegistry registry) {
        registry.add("relaygate.billing.stripe.api-key", () -> TestStripe.API_KEY);
        registry.add("relaygate.billing.stripe.api-base", TestStripe::url);
        registry.add("relaygate.billing.stripe.webhook-secrets[0]", () -> TestStripe.WEBHOOK_SECRET);
        registry.add("relaygate.billing.stripe.webhook-secrets[1]", () -> TestStripe.PREVIOUS_WEBHOOK_SECRET);
        registry.add("relaygate.billing.stripe.max-network-retries", () -> "0");
        registry.add("relaygate.billing.success-url", () -> "https://app.relaygate.test/billing/done");
        registry.add("relaygate.billing.cancel-url", () -> "https://app.relaygate.test/billing");
        registry.add("relaygate.billing.portal-return-url", () -> "https://app.relaygate.test/billing");
        registry.add("relaygate.billing.past-due-grace", () -> "3d");
        // Tests run the grace sweep themselves after moving the clock.
        registry.add("relaygate.billing.grace-sweep-interval", () -> "1h");
        // Likewise meter reporting rounds: tests run them (MeterReportingIT).
        registry.add("relaygate.billing.meter.interval", () -> "1h");
    }

    @BeforeEach
    void resetStripe() {
        stripe().resetAll();
    }

    protected static WireMockServer stripe() {
        return TestStripe.server();
    }

    /** Sends a webhook body signed with {@code secret} at {@code signedAt}. */
    protected WebTestClient.ResponseSpec webhook(String body, String secret, Instant signedAt) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return http.post().uri("/stripe/webhook")
            .contentType(MediaType.APPLICATION_JSON)
            .header("Stripe-Signature", StripeSignature.header(secret, signedAt.getEpochSecond(), bytes))
            .bodyValue(bytes)
            .exchange();
    }

    /** Sends a webhook signed now with the current secret. */
    protected WebTestClient.ResponseSpec webhook(String body) {
        return webhook(body, TestStripe.WEBHOOK_SECRET, clock.instant());
    }

    /** Stubs {@code POST /v1/customers} with a fresh customer id on every call. */
    protected static void stubCustomerCreation() {
        stripe().stubFor(post(urlEqualTo("/v1/customers")).willReturn(json("""
                {"id": "cus_{{randomValue length=14 type='ALPHANUMERIC'}}", "object": "customer",
                 "created": 1767225600, "livemode": false, "email": null, "name": "{{formData request.body 'form' urlDecode=true}}{{form.name}}",
                 "metadata": {}, "invoice_settings": {"default_payment_method": null}}""")
            .withTransformers("response-template")));
    }

    /** Stubs {@code GET /v1/subscriptions/{id}} with the subscription as Stripe holds it now. */
    protected static void stubSubscription(String id, String customer, String status, String priceId) {
        stripe().stubFor(get(urlPathEqualTo("/v1/subscriptions/" + id)).willReturn(json(subscription(id, customer,
                status, priceId))));
    }

    protected static String subscription(String id, String customer, String status, String priceId) {
        return """
                {"id": "%s", "object": "subscription", "customer": "%s", "status": "%s",
                 "cancel_at_period_end": false, "canceled_at": null, "created": 1767225600, "livemode": false,
                 "collection_method": "charge_automatically", "currency": "usd", "metadata": {},
                 "items": {"object": "list", "has_more": false, "url": "/v1/subscription_items?subscription=%s",
                   "data": [{"id": "si_%s", "object": "subscription_item", "quantity": 1,
                     "current_period_start": 1767225600, "current_period_end": 1769904000,
                     "price": {"id": "%s", "object": "price", "active": true, "currency": "usd",
                       "unit_amount": 4900, "type": "recurring",
                       "recurring": {"interval": "month", "interval_count": 1, "usage_type": "licensed"}}}]}}
                """.formatted(id, customer, status, id, id, priceId);
    }

    /** A Stripe event envelope around {@code object}. */
    protected static String event(String id, String type, long created, String object) {
        return """
                {"id": "%s", "object": "event", "api_version": "2025-09-30.clover", "created": %d,
                 "livemode": false, "pending_webhooks": 1, "request": {"id": null, "idempotency_key": null},
                 "type": "%s", "data": {"object": %s}}""".formatted(id, created, type, object);
    }

    protected static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
            .withHeader("Request-Id", "req_" + UUID.randomUUID().toString().replace("-", "")).withBody(body);
    }

    /** Creates a plan sold through Stripe at {@code priceId} (platform administrator); answers its id. */
    protected String createPaidPlan(String priceId) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", "paid-" + UUID.randomUUID());
        body.put("computeUnitsPerSecond", 1000);
        body.put("burstComputeUnits", 2000);
        body.put("computeUnitsPerMinute", 50000);
        body.put("monthlyComputeUnits", 100000000L);
        body.put("maxBatchSize", 200);
        body.put("maxBodyBytes", 2097152);
        body.put("stripePriceId", priceId);
        return (String) call(Tokens.admin("platform-admin"), HttpMethod.POST, "/v1/plans", body)
            .expectStatus().isCreated()
            .expectBody(Map.class).returnResult().getResponseBody().get("id");
    }

    /** A Stripe price id no other test uses. */
    protected static String uniquePrice() {
        return "price_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    }

    /** Gives an organization a Stripe customer directly (arrange step of webhook tests). */
    protected String linkCustomer(UUID organizationId) {
        String customer = "cus_" + UUID.randomUUID().toString().replace("-", "").substring(0, 14);
        db.sql("update organizations set stripe_customer_id = :c where id = :id")
            .bind("c", customer).bind("id", organizationId).fetch().rowsUpdated().block();
        return customer;
    }
}
