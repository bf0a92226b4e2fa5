package dev.relaygate.controlplane.billing;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

import dev.relaygate.controlplane.web.RequestIds;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import reactor.core.publisher.Mono;

/**
 * Stripe's webhook endpoint. Public (no bearer token): the {@code Stripe-Signature} over the raw body is the
 * credential. The body is taken as bytes, untouched, because the signature covers those exact bytes.
 */
@Tag(name = "Billing")
@RestController
public class StripeWebhookController {

    /** Header carrying Stripe's signature. */
    public static final String SIGNATURE_HEADER = "Stripe-Signature";

    private final StripeWebhooks webhooks;

    public StripeWebhookController(StripeWebhooks webhooks) {
        this.webhooks = webhooks;
    }

    @Operation(summary = "Stripe webhook endpoint (signed by Stripe; not for API users)")
    @PostMapping(path = "/stripe/webhook", consumes = MediaType.ALL_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<WebhookAck> receive(@RequestBody byte[] body,
            @RequestHeader(name = SIGNATURE_HEADER, required = false) String signature, ServerWebExchange exchange) {
        return webhooks.receive(body, signature, RequestIds.of(exchange));
    }
}
