package dev.relaygate.controlplane.billing;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import com.stripe.StripeClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;

import dev.relaygate.controlplane.testsupport.StripeBlockingDetector;
import dev.relaygate.controlplane.testsupport.StripeIntegrationTest;
import dev.relaygate.controlplane.testsupport.TestStripe;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * BlockHound proves that stripe-java never runs on a non-blocking thread (a Reactor Netty event loop or a Reactor
 * parallel worker): requests, webhooks and meter reporting all reach Stripe from the bounded {@code stripe}
 * scheduler. BlockHound is installed once per JVM and cannot be removed, so its callback only records blocking calls
 * made from stripe-java and never throws: other test classes sharing the JVM are unaffected by it.
 */
class StripeOffTheEventLoopIT extends StripeIntegrationTest {

    @Autowired
    private MeterReporter reporter;

    @BeforeEach
    void noBlockingSeenYet() {
        StripeBlockingDetector.clear();
    }

    @Test
    void blockHoundCatchesStripeJavaCalledOnANonBlockingThread() {
        stripe().stubFor(get(urlEqualTo("/v1/customers/cus_probe")).willReturn(json("""
                {"id": "cus_probe", "object": "customer", "created": 1767225600, "livemode": false,
                 "metadata": {}}""")));
        StripeClient direct = StripeClient.builder().setApiKey(TestStripe.API_KEY).setApiBase(TestStripe.url())
            .build();

        Mono.fromCallable(() -> direct.v1().customers().retrieve("cus_probe"))
            .subscribeOn(Schedulers.parallel())
            .block();

        assertThat(StripeBlockingDetector.stripeBlockingCalls()).as("the detector works: a wrong call is seen")
            .isNotEmpty();
    }

    @Test
    void checkoutWebhookAndMeterReportingCallStripeOffTheEventLoop() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        String price = uniquePrice();
        String plan = createPaidPlan(price);
        stubCustomerCreation();
        stripe().stubFor(post(urlEqualTo("/v1/checkout/sessions")).willReturn(json("""
                {"id": "cs_test_b1", "object": "checkout.session", "mode": "subscription", "status": "open",
                 "livemode": false, "url": "https://checkout.stripe.com/c/pay/cs_test_b1"}""")));
        stripe().stubFor(post(urlEqualTo("/v1/billing/meter_events")).willReturn(json("""
                {"object": "billing.meter_event", "created": 1767225600, "event_name": "relaygate_compute_units",
                 "identifier": "x", "livemode": false, "payload": {}, "timestamp": 1767225600}""")));

        ok(owner, HttpMethod.POST, "/v1/organizations/" + org + "/billing/checkout", Map.of("planId", plan), 200);
        String customer = db.sql("select stripe_customer_id from organizations where id = :id").bind("id", org)
            .map(row -> row.get("stripe_customer_id", String.class)).one().block();
        String subscription = "sub_" + UUID.randomUUID().toString().replace("-", "").substring(0, 14);
        stubSubscription(subscription, customer, "active", price);
        webhook(event("evt_" + UUID.randomUUID().toString().replace("-", ""), "customer.subscription.updated",
                clock.instant().getEpochSecond(), subscription(subscription, customer, "active", price)))
            .expectStatus().isOk();
        UsageFeed.record(redis(), org, clock.instant().truncatedTo(ChronoUnit.HOURS).minus(3, ChronoUnit.HOURS), 7);
        // A round started from a non-blocking thread must still leave it for Stripe.
        reporter.report().subscribeOn(Schedulers.parallel()).block();

        stripe().verify(1, postRequestedFor(urlEqualTo("/v1/customers")));
        stripe().verify(1, postRequestedFor(urlEqualTo("/v1/checkout/sessions")));
        stripe().verify(1, getRequestedFor(urlPathEqualTo("/v1/subscriptions/" + subscription)));
        assertThat(stripe().findAll(postRequestedFor(urlEqualTo("/v1/billing/meter_events")))).isNotEmpty();
        assertThat(StripeBlockingDetector.stripeBlockingCalls()).isEmpty();
    }
}
