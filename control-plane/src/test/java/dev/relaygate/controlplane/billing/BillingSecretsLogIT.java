package dev.relaygate.controlplane.billing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpMethod;

import dev.relaygate.controlplane.testsupport.StripeIntegrationTest;
import dev.relaygate.controlplane.testsupport.TestStripe;
import dev.relaygate.controlplane.testsupport.Tokens;

/** Neither the Stripe API key nor a webhook secret ever reaches a log line, even when things go wrong. */
@ExtendWith(OutputCaptureExtension.class)
class BillingSecretsLogIT extends StripeIntegrationTest {

    @Test
    void secretsNeverAppearInTheLogs(CapturedOutput output) {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        String plan = createPaidPlan(uniquePrice());
        // Stripe refusing the key: its error names the key's prefix, as real Stripe does.
        stripe().stubFor(post(urlEqualTo("/v1/customers")).willReturn(aResponse().withStatus(401)
            .withHeader("Content-Type", "application/json")
            .withBody("{\"error\": {\"type\": \"invalid_request_error\", \"message\": \"Invalid API Key provided: "
                    + "sk_test_****XYZ\"}}")));

        call(Tokens.user(owner), HttpMethod.POST, "/v1/organizations/" + org + "/billing/checkout",
                Map.of("planId", plan)).expectStatus().isEqualTo(502);
        webhook("{\"id\":\"evt_x\",\"type\":\"invoice.paid\",\"created\":1}", "whsec_wrong", clock.instant())
            .expectStatus().isBadRequest();
        webhook("{\"id\":\"evt_" + UUID.randomUUID() + "\",\"type\":\"invoice.paid\",\"created\":1,"
                + "\"data\":{\"object\":{}}}", TestStripe.WEBHOOK_SECRET, clock.instant().minusSeconds(3600))
            .expectStatus().isBadRequest();

        // The capture works: the failures above were logged...
        assertThat(output.getAll()).contains("Stripe customers.create failed").contains("Refused a Stripe webhook");
        // ...and no secret was.
        assertThat(output.getAll()).doesNotContain(TestStripe.API_KEY)
            .doesNotContain(TestStripe.WEBHOOK_SECRET)
            .doesNotContain(TestStripe.PREVIOUS_WEBHOOK_SECRET)
            .doesNotContain(TestStripe.API_KEY.substring("sk_test_".length()))
            .doesNotContain(TestStripe.WEBHOOK_SECRET.substring("whsec_".length()));
    }
}
