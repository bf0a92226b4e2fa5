package dev.relaygate.controlplane.billing;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.relaygate.controlplane.web.ApiException;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Receives Stripe webhook events: verifies the signature over the raw body, stores each event once by id, and
 * turns the events billing cares about into a {@link SubscriptionSync} of the subscription they concern. The
 * event body only says <em>which</em> subscription to look at; its state is re-read from Stripe, so the order of
 * delivery never matters. An event that fails is left unprocessed and answered 500, so Stripe delivers it again.
 */
@Component
public final class StripeWebhooks {

    private static final Logger log = LoggerFactory.getLogger(StripeWebhooks.class);

    private final BillingProperties properties;

    private final StripeSignature signature;

    private final StripeEvents events;

    private final BillingRepository billing;

    private final SubscriptionSync sync;

    private final JsonMapper json;

    private final Clock clock;

    public StripeWebhooks(BillingProperties properties, StripeEvents events, BillingRepository billing,
            SubscriptionSync sync, JsonMapper json, Clock clock) {
        this.properties = properties;
        this.signature = new StripeSignature(properties.stripe().webhookSecrets(),
                properties.stripe().signatureTolerance(), properties.stripe().signatureFutureSkew());
        this.events = events;
        this.billing = billing;
        this.sync = sync;
        this.json = json;
        this.clock = clock;
    }

    public Mono<WebhookAck> receive(byte[] body, String signatureHeader, String requestId) {
        return Mono.defer(() -> {
            if (!properties.enabled()) {
                return Mono.error(BillingProblems.notConfigured());
            }
            Instant now = clock.instant();
            StripeSignature.Outcome outcome = signature.verify(body, signatureHeader, now);
            if (outcome != StripeSignature.Outcome.VALID) {
                log.info("Refused a Stripe webhook: signature {}", outcome);
                return Mono.error(BillingProblems.badSignature());
            }
            JsonNode event = parse(body);
            String id = text(event, "id");
            String type = text(event, "type");
            JsonNode created = event.path("created");
            if (id == null || type == null || !created.isIntegralNumber()) {
                return Mono.error(ApiException.badRequest("The event has no id, type or created"));
            }
            return events.record(id, type, Instant.ofEpochSecond(created.asLong()),
                    new String(body, StandardCharsets.UTF_8), now)
                .flatMap(pending -> !pending ? Mono.just(new WebhookAck(true, true))
                        : process(type, event.path("data").path("object"), requestId + " " + id)
                            .then(events.markProcessed(id, clock.instant()))
                            .thenReturn(new WebhookAck(true, false)));
        });
    }

    private Mono<Void> process(String type, JsonNode object, String requestId) {
        return switch (type) {
            case "checkout.session.completed" -> checkoutCompleted(object, requestId);
            case "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted" ->
                subscription(text(object, "customer"), text(object, "id"), requestId);
            case "invoice.paid", "invoice.payment_failed" -> subscription(text(object, "customer"),
                    invoiceSubscription(object), requestId);
            default -> Mono.empty();
        };
    }

    private Mono<Void> checkoutCompleted(JsonNode session, String requestId) {
        String customer = text(session, "customer");
        String subscription = text(session, "subscription");
        if (!"subscription".equals(text(session, "mode")) || customer == null || subscription == null) {
            return Mono.empty();
        }
        // Our sessions always name the organization's customer; linking here only covers a customer created
        // before the link was recorded (a crash between Stripe's answer and our update).
        UUID organization = uuid(text(session, "client_reference_id"));
        Mono<Void> link = organization == null ? Mono.empty() : billing.linkCustomer(organization, customer).then();
        return link.then(subscription(customer, subscription, requestId));
    }

    private Mono<Void> subscription(String customer, String subscription, String requestId) {
        return customer == null || subscription == null ? Mono.empty() : sync.sync(customer, subscription, requestId);
    }

    /** Where an invoice names its subscription: {@code parent.subscription_details} since API 2025-03-31. */
    private static String invoiceSubscription(JsonNode invoice) {
        String current = text(invoice.path("parent").path("subscription_details"), "subscription");
        return current != null ? current : text(invoice, "subscription");
    }

    private JsonNode parse(byte[] body) {
        try {
            return json.readTree(body);
        }
        catch (JacksonException e) {
            throw ApiException.badRequest("The event is not JSON");
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isString() && !value.asString().isBlank() ? value.asString() : null;
    }

    private static UUID uuid(String value) {
        try {
            return value == null ? null : UUID.fromString(value);
        }
        catch (IllegalArgumentException e) {
            return null;
        }
    }
}
