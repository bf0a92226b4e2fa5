package dev.relaygate.controlplane.billing;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;

import dev.relaygate.controlplane.testsupport.IntegrationTest;
import dev.relaygate.controlplane.testsupport.Tokens;

/** Without a Stripe API key (the default, and ./run-local's), billing answers 503 problem+json and nothing else. */
class BillingOffIT extends IntegrationTest {

    @Test
    void billingEndpointsSayBillingIsNotConfigured() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        String base = "/v1/organizations/" + org + "/billing";

        for (var request : new Object[][] { { HttpMethod.GET, base, null },
                { HttpMethod.POST, base + "/checkout", Map.of("planId", "00000000-0000-0000-0000-00000000f4ee") },
                { HttpMethod.POST, base + "/portal", null }, { HttpMethod.GET, base + "/invoices", null } }) {
            call(Tokens.user(owner), (HttpMethod) request[0], (String) request[1], request[2])
                .expectStatus().isEqualTo(503)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.title").isEqualTo("Billing not configured");
        }
    }

    @Test
    void authorizationStillComesFirst() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);

        call(Tokens.user(uniqueSubject("stranger")), HttpMethod.GET, "/v1/organizations/" + org + "/billing", null)
            .expectStatus().isNotFound();
    }

    @Test
    void theWebhookSaysBillingIsNotConfigured() {
        http.post().uri("/stripe/webhook").contentType(MediaType.APPLICATION_JSON)
            .header("Stripe-Signature", "t=1,v1=" + "00".repeat(32))
            .bodyValue("{\"id\":\"evt_1\"}")
            .exchange()
            .expectStatus().isEqualTo(503)
            .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }
}
