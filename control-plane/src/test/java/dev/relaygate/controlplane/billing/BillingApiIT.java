package dev.relaygate.controlplane.billing;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.relaygate.controlplane.testsupport.StripeIntegrationTest;
import dev.relaygate.controlplane.testsupport.Tokens;

/** Checkout, portal, invoices and the overview, with the real stripe-java client against a Stripe stub. */
class BillingApiIT extends StripeIntegrationTest {

    private static void stubCheckoutSession() {
        stripe().stubFor(post(urlEqualTo("/v1/checkout/sessions")).willReturn(json("""
                {"id": "cs_test_a1B2c3", "object": "checkout.session", "mode": "subscription", "status": "open",
                 "livemode": false, "payment_status": "unpaid", "customer": "cus_x", "client_reference_id": null,
                 "url": "https://checkout.stripe.com/c/pay/cs_test_a1B2c3"}""")));
    }

    private String customerOf(UUID org) {
        return db.sql("select stripe_customer_id from organizations where id = :id").bind("id", org)
            .map(row -> row.get("stripe_customer_id", String.class)).one().block();
    }

    private WebTestClient.ResponseSpec checkout(String subject, UUID org, String planId, String idempotencyKey) {
        var request = http.post().uri("/v1/organizations/{org}/billing/checkout", org)
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(subject)))
            .contentType(MediaType.APPLICATION_JSON);
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return request.bodyValue(Map.of("planId", planId)).exchange();
    }

    @Test
    void checkoutCreatesTheCustomerOnceAndAnswersTheSessionUrl() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        String price = uniquePrice();
        String plan = createPaidPlan(price);
        stubCustomerCreation();
        stubCheckoutSession();

        checkout(owner, org, plan, "attempt-1").expectStatus().isOk()
            .expectBody().jsonPath("$.url").isEqualTo("https://checkout.stripe.com/c/pay/cs_test_a1B2c3");
        checkout(owner, org, plan, "attempt-1").expectStatus().isOk();

        String customer = customerOf(org);
        assertThat(customer).startsWith("cus_");
        stripe().verify(1, postRequestedFor(urlEqualTo("/v1/customers"))
            .withHeader("Idempotency-Key", equalTo("relaygate-customer-" + org))
            .withFormParam("metadata[relaygate_organization_id]", equalTo(org.toString()))
            .withFormParam("name", equalTo("org of " + owner)));
        List<LoggedRequest> sessions = stripe().findAll(postRequestedFor(urlEqualTo("/v1/checkout/sessions"))
            .withFormParam("mode", equalTo("subscription"))
            .withFormParam("customer", equalTo(customer))
            .withFormParam("client_reference_id", equalTo(org.toString()))
            .withFormParam("line_items[0][price]", equalTo(price))
            .withFormParam("line_items[0][quantity]", equalTo("1"))
            .withFormParam("subscription_data[metadata][relaygate_organization_id]", equalTo(org.toString()))
            .withFormParam("success_url", equalTo("https://app.relaygate.test/billing/done")));
        assertThat(sessions).hasSize(2);
        String key = sessions.get(0).getHeader("Idempotency-Key");
        assertThat(key).startsWith("relaygate-checkout-" + org + "-" + plan + "-");
        assertThat(sessions.get(1).getHeader("Idempotency-Key")).as("a retried attempt reuses its key").isEqualTo(key);
    }

    @Test
    void anotherAttemptGetsAnotherIdempotencyKeyButTheSameCustomer() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        String plan = createPaidPlan(uniquePrice());
        stubCustomerCreation();
        stubCheckoutSession();

        checkout(owner, org, plan, "attempt-1").expectStatus().isOk();
        checkout(owner, org, plan, "attempt-2").expectStatus().isOk();

        stripe().verify(1, postRequestedFor(urlEqualTo("/v1/customers")));
        List<LoggedRequest> sessions = stripe().findAll(postRequestedFor(urlEqualTo("/v1/checkout/sessions")));
        assertThat(sessions).extracting(r -> r.getHeader("Idempotency-Key")).doesNotHaveDuplicates().hasSize(2);
    }

    @Test
    void checkoutRefusesAPlanWithoutAStripePrice() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);

        checkout(owner, org, "00000000-0000-0000-0000-00000000f4ee", null)
            .expectStatus().isBadRequest()
            .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .expectBody().jsonPath("$.errors[0].field").isEqualTo("planId");
        stripe().verify(0, postRequestedFor(urlEqualTo("/v1/customers")));
    }

    @Test
    void aStripeFailureAnswersBadGatewayProblem() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        String plan = createPaidPlan(uniquePrice());
        stripe().stubFor(post(urlEqualTo("/v1/customers")).willReturn(WireMock.aResponse().withStatus(500)
            .withHeader("Content-Type", "application/json")
            .withBody("{\"error\": {\"type\": \"api_error\", \"message\": \"Something went wrong\"}}")));

        checkout(owner, org, plan, null)
            .expectStatus().isEqualTo(502)
            .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .expectBody().jsonPath("$.title").isEqualTo("Payment provider error");
    }

    @Test
    void aBillingAdminOpensThePortalForTheOrganizationsCustomer() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        String billingAdmin = uniqueSubject("billing");
        ok(owner, HttpMethod.POST, "/v1/organizations/" + org + "/members",
                Map.of("subject", billingAdmin, "role", "billing"), 201);
        String customer = linkCustomer(org);
        stripe().stubFor(post(urlEqualTo("/v1/billing_portal/sessions")).willReturn(json("""
                {"id": "bps_1Q2w3E", "object": "billing_portal.session", "customer": "%s", "livemode": false,
                 "return_url": "https://app.relaygate.test/billing",
                 "url": "https://billing.stripe.com/p/session/test_YWNjdF8x"}""".formatted(customer))));

        Map<String, Object> body = ok(billingAdmin, HttpMethod.POST, "/v1/organizations/" + org + "/billing/portal",
                null, 200);

        assertThat(body).containsEntry("url", "https://billing.stripe.com/p/session/test_YWNjdF8x");
        stripe().verify(1, postRequestedFor(urlEqualTo("/v1/billing_portal/sessions"))
            .withFormParam("customer", equalTo(customer))
            .withFormParam("return_url", equalTo("https://app.relaygate.test/billing"))
            .withHeader("Idempotency-Key", WireMock.matching("relaygate-portal-" + org + "-[0-9a-f]{32}")));
        stripe().verify(0, postRequestedFor(urlEqualTo("/v1/customers")));
    }

    @Test
    void invoicesAreListedFromStripeWithACursor() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        String customer = linkCustomer(org);
        stripe().stubFor(get(urlPathEqualTo("/v1/invoices")).willReturn(json("""
                {"object": "list", "url": "/v1/invoices", "has_more": true, "data": [
                  {"id": "in_1QaZ", "object": "invoice", "number": "RG-0002", "status": "open", "currency": "usd",
                   "customer": "%1$s", "amount_due": 4900, "amount_paid": 0, "created": 1769904000,
                   "period_start": 1767225600, "period_end": 1769904000, "livemode": false,
                   "hosted_invoice_url": "https://invoice.stripe.com/i/acct_1/test_2",
                   "invoice_pdf": "https://pay.stripe.com/invoice/acct_1/test_2/pdf"},
                  {"id": "in_0PzY", "object": "invoice", "number": "RG-0001", "status": "paid", "currency": "usd",
                   "customer": "%1$s", "amount_due": 4900, "amount_paid": 4900, "created": 1767225600,
                   "period_start": 1764547200, "period_end": 1767225600, "livemode": false,
                   "hosted_invoice_url": "https://invoice.stripe.com/i/acct_1/test_1",
                   "invoice_pdf": "https://pay.stripe.com/invoice/acct_1/test_1/pdf"}]}""".formatted(customer))));

        Map<String, Object> page = ok(owner, HttpMethod.GET,
                "/v1/organizations/" + org + "/billing/invoices?limit=2&cursor=in_9Older", null, 200);

        assertThat(page).containsEntry("nextCursor", "in_0PzY");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> items = (List<Map<String, Object>>) page.get("items");
        assertThat(items).extracting(i -> i.get("number")).containsExactly("RG-0002", "RG-0001");
        assertThat(items.get(1)).containsEntry("status", "paid").containsEntry("amountPaid", 4900);
        stripe().verify(1, getRequestedFor(urlPathEqualTo("/v1/invoices"))
            .withQueryParam("customer", equalTo(customer))
            .withQueryParam("limit", equalTo("2"))
            .withQueryParam("starting_after", equalTo("in_9Older")));
    }

    @Test
    void anOrganizationWithoutCustomerHasNoInvoicesAndStripeIsNotAsked() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);

        Map<String, Object> page = ok(owner, HttpMethod.GET, "/v1/organizations/" + org + "/billing/invoices", null,
                200);

        assertThat(page).containsEntry("items", List.of()).containsEntry("nextCursor", null);
        assertThat(stripe().getAllServeEvents()).isEmpty();
    }

    @Test
    void theOverviewShowsThePlanInForceAndNoUsageYet() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);

        Map<String, Object> overview = ok(owner, HttpMethod.GET, "/v1/organizations/" + org + "/billing", null, 200);

        assertThat(overview).containsEntry("planId", "00000000-0000-0000-0000-00000000f4ee")
            .containsEntry("planName", "free")
            .containsEntry("subscription", null)
            .containsEntry("computeUnitsThisPeriod", 0);
    }

    @Test
    void withoutASubscriptionComputeUnitsThisPeriodCountTheCalendarMonth() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        Instant now = clock.instant();
        UsageFeed.record(redis(), org, now, 25);
        UsageFeed.record(redis(), org, now.truncatedTo(ChronoUnit.DAYS).minus(40, ChronoUnit.DAYS), 1000);

        Map<String, Object> overview = ok(owner, HttpMethod.GET, "/v1/organizations/" + org + "/billing", null, 200);

        assertThat(overview).containsEntry("computeUnitsThisPeriod", 25);
    }

    @Test
    void computeUnitsThisPeriodCountFromTheDayTheSubscriptionsPeriodStarted() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        String customer = linkCustomer(org);
        Instant now = clock.instant();
        db.sql("insert into billing_subscriptions (organization_id, stripe_subscription_id, stripe_customer_id, status, "
                + "current_period_start, current_period_end, synced_at) values (:org, :sub, :customer, 'active', "
                + ":start, :end, :now)")
            .bind("org", org).bind("sub", "sub_" + UUID.randomUUID().toString().replace("-", ""))
            .bind("customer", customer).bind("start", now.minus(Duration.ofDays(3)))
            .bind("end", now.plus(Duration.ofDays(27))).bind("now", now)
            .fetch().rowsUpdated().block();
        UsageFeed.record(redis(), org, now, 1);
        UsageFeed.record(redis(), org, now.minus(Duration.ofDays(2)), 20);
        UsageFeed.record(redis(), org, now.minus(Duration.ofDays(3)), 300);
        UsageFeed.record(redis(), org, now.minus(Duration.ofDays(4)), 4000);

        Map<String, Object> overview = ok(owner, HttpMethod.GET, "/v1/organizations/" + org + "/billing", null, 200);

        assertThat(overview).as("whole UTC days from the day the period started, today included")
            .containsEntry("computeUnitsThisPeriod", 321);
    }
}
