package dev.relaygate.controlplane.billing;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Customer;
import com.stripe.model.Invoice;
import com.stripe.model.StripeCollection;
import com.stripe.model.Subscription;
import com.stripe.model.SubscriptionItem;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.InvoiceListParams;
import com.stripe.param.billing.MeterEventCreateParams;
import com.stripe.param.checkout.SessionCreateParams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import dev.relaygate.controlplane.web.ApiException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The Stripe API as the control plane uses it. stripe-java blocks, so every call runs on the bounded
 * {@code stripe} scheduler, never on an event-loop thread, under a timeout. Every mutating call carries an
 * idempotency key the caller derives from our own ids, so a retry (ours or stripe-java's) never creates a second
 * customer or session. Failures become a 502 problem; what is logged is Stripe's error code and request id, never
 * a key or a message that might quote one.
 */
@Component
public final class StripeApi implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(StripeApi.class);

    private final BillingProperties properties;

    private final StripeClient client;

    private final Scheduler scheduler;

    public StripeApi(BillingProperties properties) {
        this.properties = properties;
        if (properties.enabled()) {
            BillingProperties.Stripe stripe = properties.stripe();
            String base = stripe.apiBase().toString().replaceAll("/+$", "");
            this.client = StripeClient.builder()
                .setApiKey(stripe.apiKey())
                .setApiBase(base)
                .setConnectTimeout(Math.toIntExact(stripe.connectTimeout().toMillis()))
                .setReadTimeout(Math.toIntExact(stripe.readTimeout().toMillis()))
                .setMaxNetworkRetries(stripe.maxNetworkRetries())
                .build();
            this.scheduler = Schedulers.newBoundedElastic(stripe.threads(), stripe.queuedCalls(), "stripe");
        }
        else {
            this.client = null;
            this.scheduler = null;
        }
    }

    public Mono<String> createCustomer(UUID organizationId, String name) {
        CustomerCreateParams params = CustomerCreateParams.builder()
            .setName(name)
            .putMetadata(BillingNames.ORGANIZATION_METADATA, organizationId.toString())
            .build();
        return call("customers.create",
                () -> client.v1().customers().create(params, idempotent(BillingNames.customerKey(organizationId))))
            .map(Customer::getId);
    }

    public Mono<String> createCheckoutSession(UUID organizationId, String customerId, UUID planId, String priceId,
            String idempotencyKey) {
        SessionCreateParams params = SessionCreateParams.builder()
            .setMode(SessionCreateParams.Mode.SUBSCRIPTION)
            .setCustomer(customerId)
            .setClientReferenceId(organizationId.toString())
            .addLineItem(SessionCreateParams.LineItem.builder().setPrice(priceId).setQuantity(1L).build())
            .setSuccessUrl(properties.successUrl().toString())
            .setCancelUrl(properties.cancelUrl().toString())
            .putMetadata(BillingNames.ORGANIZATION_METADATA, organizationId.toString())
            .putMetadata(BillingNames.PLAN_METADATA, planId.toString())
            .setSubscriptionData(SessionCreateParams.SubscriptionData.builder()
                .putMetadata(BillingNames.ORGANIZATION_METADATA, organizationId.toString())
                .putMetadata(BillingNames.PLAN_METADATA, planId.toString())
                .build())
            .build();
        return call("checkout.sessions.create",
                () -> client.v1().checkout().sessions().create(params, idempotent(idempotencyKey)))
            .map(com.stripe.model.checkout.Session::getUrl);
    }

    public Mono<String> createPortalSession(String customerId, String idempotencyKey) {
        com.stripe.param.billingportal.SessionCreateParams params = com.stripe.param.billingportal.SessionCreateParams
            .builder()
            .setCustomer(customerId)
            .setReturnUrl(properties.portalReturnUrl().toString())
            .build();
        return call("billing_portal.sessions.create",
                () -> client.v1().billingPortal().sessions().create(params, idempotent(idempotencyKey)))
            .map(com.stripe.model.billingportal.Session::getUrl);
    }

    /** One page of a customer's invoices, newest first, and whether more follow. */
    public Mono<InvoicePage> invoices(String customerId, int limit, String startingAfter) {
        InvoiceListParams.Builder params = InvoiceListParams.builder().setCustomer(customerId).setLimit((long) limit);
        if (startingAfter != null) {
            params.setStartingAfter(startingAfter);
        }
        return call("invoices.list", () -> client.v1().invoices().list(params.build()))
            .map(StripeApi::page);
    }

    /** The subscription as Stripe holds it now: the only source of truth webhook processing trusts. */
    public Mono<StripeSubscription> subscription(String subscriptionId) {
        return call("subscriptions.retrieve", () -> client.v1().subscriptions().retrieve(subscriptionId))
            .map(StripeApi::subscription);
    }

    /**
     * Reports one slice of usage to the Billing Meter. The identifier is the slice's, so Stripe counts a resent
     * slice once; the same string is the idempotency key, so a retry within 24 h gets the first answer back. A
     * refusal Stripe will repeat for the same request (4xx other than 409 and 429) fails with
     * {@link MeterEventRefused}; anything else (timeout, 5xx, 429) with {@link MeterEventFailed}.
     */
    public Mono<Void> reportMeterEvent(String eventName, String identifier, String customerId, long value,
            Instant timestamp) {
        MeterEventCreateParams params = MeterEventCreateParams.builder()
            .setEventName(eventName)
            .setIdentifier(identifier)
            .setTimestamp(timestamp.getEpochSecond())
            .putPayload("stripe_customer_id", customerId)
            .putPayload("value", Long.toString(value))
            .build();
        return run(() -> client.v1().billing().meterEvents().create(params, idempotent(identifier)))
            .onErrorMap(failure -> {
                Integer status = failure instanceof StripeException stripe ? stripe.getStatusCode() : null;
                failed("billing.meter_events.create", failure);
                if (status != null && status >= 400 && status < 500 && status != 409 && status != 429) {
                    return new MeterEventRefused(((StripeException) failure).getCode());
                }
                return new MeterEventFailed(status != null ? "status " + status : failure.getClass().getSimpleName());
            })
            .then();
    }

    private <T> Mono<T> call(String operation, Callable<T> call) {
        return run(call)
            .onErrorMap(failure -> !(failure instanceof ApiException), failure -> failed(operation, failure));
    }

    private <T> Mono<T> run(Callable<T> call) {
        if (client == null) {
            return Mono.error(BillingProblems.notConfigured());
        }
        return Mono.fromCallable(call)
            .subscribeOn(scheduler)
            .timeout(properties.stripe().callTimeout());
    }

    private static ApiException failed(String operation, Throwable failure) {
        if (failure instanceof StripeException stripe) {
            log.warn("Stripe {} failed: status={} code={} type={} stripeRequestId={}", operation,
                    stripe.getStatusCode(), stripe.getCode(),
                    stripe.getStripeError() == null ? null : stripe.getStripeError().getType(),
                    stripe.getRequestId());
        }
        else if (failure instanceof TimeoutException) {
            log.warn("Stripe {} timed out", operation);
        }
        else {
            log.warn("Stripe {} failed: {}", operation, failure.getClass().getName());
        }
        return new ApiException(HttpStatus.BAD_GATEWAY, "Payment provider error",
                "Stripe did not complete the request; retry later");
    }

    private static RequestOptions idempotent(String key) {
        return RequestOptions.builder().setIdempotencyKey(key).build();
    }

    private static InvoicePage page(StripeCollection<Invoice> invoices) {
        List<InvoiceView> items = invoices.getData().stream()
            .map(i -> new InvoiceView(i.getId(), i.getNumber(), i.getStatus(), i.getCurrency(), i.getAmountDue(),
                    i.getAmountPaid(), instant(i.getCreated()), instant(i.getPeriodStart()),
                    instant(i.getPeriodEnd()), i.getHostedInvoiceUrl(), i.getInvoicePdf()))
            .toList();
        return new InvoicePage(items, Boolean.TRUE.equals(invoices.getHasMore()));
    }

    private static StripeSubscription subscription(Subscription s) {
        SubscriptionItem item = s.getItems() == null || s.getItems().getData() == null
                || s.getItems().getData().isEmpty() ? null : s.getItems().getData().get(0);
        return new StripeSubscription(s.getId(), s.getCustomer(), s.getStatus(),
                item == null || item.getPrice() == null ? null : item.getPrice().getId(),
                item == null ? null : instant(item.getCurrentPeriodStart()),
                item == null ? null : instant(item.getCurrentPeriodEnd()),
                Boolean.TRUE.equals(s.getCancelAtPeriodEnd()));
    }

    private static Instant instant(Long epochSecond) {
        return epochSecond == null ? null : Instant.ofEpochSecond(epochSecond);
    }

    @Override
    public void destroy() {
        if (scheduler != null) {
            scheduler.dispose();
        }
    }

    /** Stripe refused a meter event for good (bad customer, timestamp too old, …): resending cannot help. */
    public static final class MeterEventRefused extends RuntimeException {

        private final String code;

        MeterEventRefused(String code) {
            super("Stripe refused the meter event: " + code, null, false, false);
            this.code = code;
        }

        /** Stripe's error code (never its message, which may quote request data). */
        public String code() {
            return code;
        }
    }

    /** A meter event that may succeed if sent again (timeout, 5xx, 429, no connection). */
    public static final class MeterEventFailed extends RuntimeException {

        MeterEventFailed(String reason) {
            super(reason, null, false, false);
        }
    }

    /** One page of invoices. */
    public record InvoicePage(List<InvoiceView> items, boolean hasMore) {
    }
}
