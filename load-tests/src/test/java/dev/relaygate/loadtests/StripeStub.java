package dev.relaygate.loadtests;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import tools.jackson.databind.ObjectMapper;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A WireMock stand-in for the Stripe API on loopback, and Stripe's side of a webhook, for the end-to-end tests that
 * run the control plane with billing on (BillingEndToEndIT, PortalEndToEndIT). The control plane's stripe-java
 * client is pointed at it through {@link #controlPlaneEnvironment()}; each test declares the answers it needs with
 * the {@code stub…} methods. The pages Stripe would show a browser (Checkout, the Billing Portal) are served by the
 * stub too, on loopback, so a browser that follows the control plane's redirect lands somewhere real and nothing
 * leaves the machine.
 */
final class StripeStub implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final HttpClient HTTP = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2))
        .build();

    /** Where the control plane tells Stripe to send the browser back; Stripe's pages here are stubs, never left. */
    static final String SUCCESS_URL = "https://app.relaygate.test/billing/done";

    static final String CANCEL_URL = "https://app.relaygate.test/billing";

    /** Fresh secrets per run, so that finding one in a log can only mean it was logged in this run. */
    private final String apiKey = "sk_test_" + randomAlphanumeric(32);

    private final String webhookSecret = "whsec_" + randomAlphanumeric(32);

    private final WireMockServer server;

    private StripeStub(WireMockServer server) {
        this.server = server;
    }

    static StripeStub start() {
        WireMockServer server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        return new StripeStub(server);
    }

    /** The control plane's billing settings for this stub (add to them with further entries as needed). */
    Map<String, String> controlPlaneEnvironment() {
        return Map.of(
                "RELAYGATE_BILLING_STRIPE_API_KEY", apiKey,
                "RELAYGATE_BILLING_STRIPE_API_BASE", baseUrl(),
                "RELAYGATE_BILLING_STRIPE_WEBHOOK_SECRETS_0", webhookSecret,
                "RELAYGATE_BILLING_STRIPE_MAX_NETWORK_RETRIES", "0",
                "RELAYGATE_BILLING_SUCCESS_URL", SUCCESS_URL,
                "RELAYGATE_BILLING_CANCEL_URL", CANCEL_URL,
                "RELAYGATE_BILLING_PORTAL_RETURN_URL", CANCEL_URL);
    }

    String apiKey() {
        return apiKey;
    }

    String webhookSecret() {
        return webhookSecret;
    }

    WireMockServer server() {
        return server;
    }

    private String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    // --- The API's answers -------------------------------------------------------------------------------------

    /**
     * Stripe creates {@code customer} and then a Checkout Session; answers the session's URL, a page this stub
     * serves (Stripe's would be on checkout.stripe.com).
     */
    String stubCheckout(String customer, String customerName) {
        server.stubFor(post(urlEqualTo("/v1/customers")).willReturn(json("""
                {"id": "%s", "object": "customer", "created": %d, "livemode": false, "email": null,
                 "name": "%s", "currency": null, "delinquent": false,
                 "metadata": {"relaygate_organization_id": "set"},
                 "invoice_settings": {"custom_fields": null, "default_payment_method": null, "footer": null}}"""
            .formatted(customer, Instant.now().getEpochSecond(), customerName))));
        String session = "cs_test_" + randomAlphanumeric(24);
        String url = page("/c/pay/" + session, "Stripe Checkout (stub)");
        server.stubFor(post(urlEqualTo("/v1/checkout/sessions")).willReturn(json("""
                {"id": "%1$s", "object": "checkout.session", "mode": "subscription", "status": "open",
                 "payment_status": "unpaid", "customer": "%2$s", "subscription": null, "livemode": false,
                 "created": %3$d, "expires_at": %4$d, "currency": "usd", "amount_total": 4900,
                 "success_url": "%5$s", "cancel_url": "%6$s", "url": "%7$s"}"""
            .formatted(session, customer, Instant.now().getEpochSecond(),
                    Instant.now().plus(Duration.ofHours(24)).getEpochSecond(), SUCCESS_URL, CANCEL_URL, url))));
        return url;
    }

    /** A Billing Portal session for {@code customer}; answers its URL, a page this stub serves. */
    String stubBillingPortal(String customer) {
        String session = "bps_" + randomAlphanumeric(24);
        String url = page("/p/session/" + session, "Stripe Billing Portal (stub)");
        server.stubFor(post(urlEqualTo("/v1/billing_portal/sessions")).willReturn(json("""
                {"id": "%s", "object": "billing_portal.session", "customer": "%s", "created": %d,
                 "livemode": false, "locale": null, "on_behalf_of": null, "configuration": "bpc_stub",
                 "return_url": "%s", "url": "%s"}"""
            .formatted(session, customer, Instant.now().getEpochSecond(), CANCEL_URL, url))));
        return url;
    }

    void stubSubscription(String id, String customer, String status, String price) {
        server.stubFor(get(urlPathEqualTo("/v1/subscriptions/" + id))
            .willReturn(json(subscriptionObject(id, customer, status, price))));
    }

    /**
     * {@code count} paid invoices of {@code customer}, newest first, numbered {@code RG-<count>} down to
     * {@code RG-1}, listed {@code pageSize} at a time the way Stripe pages a list ({@code starting_after}).
     */
    void stubInvoices(String customer, int count, int pageSize) {
        List<String> ids = IntStream.range(0, count).mapToObj(i -> "in_" + randomAlphanumeric(24)).toList();
        Instant newest = Instant.now();
        for (int from = 0; from < count; from += pageSize) {
            int to = Math.min(count, from + pageSize);
            String data = IntStream.range(from, to)
                .mapToObj(i -> invoice(ids.get(i), count - i, customer, newest.minus(Duration.ofDays(30L * i))))
                .collect(Collectors.joining(","));
            server.stubFor(get(urlPathEqualTo("/v1/invoices"))
                .withQueryParam("customer", equalTo(customer))
                .withQueryParam("limit", equalTo(Integer.toString(pageSize)))
                .withQueryParam("starting_after", from == 0 ? absent() : equalTo(ids.get(from - 1)))
                .willReturn(json("""
                        {"object": "list", "url": "/v1/invoices", "has_more": %s, "data": [%s]}"""
                    .formatted(to < count, data))));
        }
    }

    private String invoice(String id, int number, String customer, Instant created) {
        long start = created.getEpochSecond();
        return """
                {"id": "%1$s", "object": "invoice", "number": "RG-%2$d", "customer": "%3$s", "status": "paid",
                 "currency": "usd", "amount_due": 4900, "amount_paid": 4900, "created": %4$d,
                 "period_start": %4$d, "period_end": %5$d, "livemode": false,
                 "hosted_invoice_url": "%6$s/i/%1$s", "invoice_pdf": "%6$s/i/%1$s/pdf"}"""
            .formatted(id, number, customer, start, start + Duration.ofDays(30).toSeconds(), baseUrl());
    }

    /** Serves a small HTML page at {@code path}, as Stripe serves its hosted pages; answers its URL. */
    private String page(String path, String title) {
        server.stubFor(get(urlEqualTo(path)).willReturn(aResponse().withStatus(200)
            .withHeader("Content-Type", "text/html; charset=utf-8")
            .withBody("<!doctype html><html lang=\"en\"><title>%1$s</title><main><h1>%1$s</h1></main></html>"
                .formatted(title))));
        return baseUrl() + path;
    }

    private static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200)
            .withHeader("Content-Type", "application/json")
            .withHeader("Request-Id", "req_" + randomAlphanumeric(14))
            .withBody(body);
    }

    /** The form body stripe-java sent, decoded. */
    static Map<String, String> form(LoggedRequest request) {
        return Stream.of(request.getBodyAsString().split("&"))
            .filter(pair -> !pair.isEmpty())
            .map(pair -> pair.split("=", 2))
            .collect(Collectors.toMap(pair -> URLDecoder.decode(pair[0], StandardCharsets.UTF_8),
                    pair -> pair.length < 2 ? "" : URLDecoder.decode(pair[1], StandardCharsets.UTF_8)));
    }

    // --- Stripe's objects and events ---------------------------------------------------------------------------

    static String checkoutSession(String organization, String customer, String subscription) {
        return """
                {"id": "cs_test_%s", "object": "checkout.session", "mode": "subscription", "status": "complete",
                 "payment_status": "paid", "customer": "%s", "subscription": "%s", "client_reference_id": "%s",
                 "currency": "usd", "amount_total": 4900, "livemode": false, "url": null,
                 "metadata": {"relaygate_organization_id": "%4$s"}}"""
            .formatted(randomAlphanumeric(24), customer, subscription, organization);
    }

    static String subscriptionObject(String id, String customer, String status, String price) {
        long start = Instant.now().getEpochSecond();
        return """
                {"id": "%1$s", "object": "subscription", "customer": "%2$s", "status": "%3$s",
                 "cancel_at_period_end": false, "canceled_at": null, "created": %5$d, "livemode": false,
                 "collection_method": "charge_automatically", "currency": "usd", "metadata": {},
                 "items": {"object": "list", "has_more": false, "url": "/v1/subscription_items?subscription=%1$s",
                   "data": [{"id": "si_%1$s", "object": "subscription_item", "quantity": 1,
                     "current_period_start": %5$d, "current_period_end": %6$d,
                     "price": {"id": "%4$s", "object": "price", "active": true, "currency": "usd",
                       "unit_amount": 4900, "type": "recurring",
                       "recurring": {"interval": "month", "interval_count": 1, "usage_type": "licensed"}}}]}}"""
            .formatted(id, customer, status, price, start, start + Duration.ofDays(30).toSeconds());
    }

    static String failedInvoice(String customer, String subscription) {
        return """
                {"id": "in_%s", "object": "invoice", "customer": "%s", "status": "open", "currency": "usd",
                 "amount_due": 4900, "amount_paid": 0, "attempt_count": 1, "created": %d, "livemode": false,
                 "parent": {"type": "subscription_details", "quote_details": null,
                   "subscription_details": {"subscription": "%s", "metadata": {}}}}"""
            .formatted(randomAlphanumeric(24), customer, Instant.now().getEpochSecond(), subscription);
    }

    static String event(String type, String object) {
        return """
                {"id": "evt_%s", "object": "event", "api_version": "2025-09-30.clover", "created": %d,
                 "livemode": false, "pending_webhooks": 1, "request": {"id": null, "idempotency_key": null},
                 "type": "%s", "data": {"object": %s}}"""
            .formatted(randomAlphanumeric(24), Instant.now().getEpochSecond(), type, object);
    }

    // --- Webhooks ----------------------------------------------------------------------------------------------

    /** Delivers an event to the control plane as Stripe does and expects it processed (not a duplicate). */
    void deliver(String controlPlaneUrl, String event) throws IOException, InterruptedException {
        HttpResponse<String> response = webhook(controlPlaneUrl, event, webhookSecret);
        assertThat(response.statusCode()).as("webhook answer: %s", response.body()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).get("duplicate").asBoolean()).isFalse();
    }

    /** Posts an event signed as Stripe signs, with {@code secret}: HMAC-SHA256(secret, t + "." + raw body). */
    static HttpResponse<String> webhook(String controlPlaneUrl, String event, String secret)
            throws IOException, InterruptedException {
        byte[] body = event.getBytes(StandardCharsets.UTF_8);
        long timestamp = Instant.now().getEpochSecond();
        HttpRequest request = HttpRequest.newBuilder(URI.create(controlPlaneUrl + "/stripe/webhook"))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json; charset=utf-8")
            .header("Stripe-Signature", "t=" + timestamp + ",v1=" + hmacSha256Hex(secret, timestamp, body))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String hmacSha256Hex(String secret, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal(body));
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String randomAlphanumeric(int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    @Override
    public void close() {
        server.stop();
    }
}
