package dev.relaygate.controlplane.billing;

import java.util.UUID;

import jakarta.validation.Valid;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.relaygate.controlplane.idempotency.IdempotencyKey;
import dev.relaygate.controlplane.security.Caller;
import dev.relaygate.controlplane.web.Page;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import reactor.core.publisher.Mono;

/** REST endpoints of an organization's billing (owners and billing admins). */
@Tag(name = "Billing")
@RestController
@RequestMapping("/v1/organizations/{orgId}/billing")
public class BillingController {

    private final BillingService service;

    public BillingController(BillingService service) {
        this.service = service;
    }

    @Operation(summary = "Billing overview: plan in force, subscription status and current period (owner, billing)")
    @GetMapping
    public Mono<BillingView> overview(Caller caller, @PathVariable UUID orgId) {
        return service.overview(caller, orgId);
    }

    @Operation(summary = "Start a Stripe Checkout for a plan; answers the Checkout URL (owner, billing)")
    @PostMapping("/checkout")
    public Mono<RedirectView> checkout(Caller caller, @PathVariable UUID orgId,
            @RequestHeader(name = IdempotencyKey.HEADER, required = false) String idempotencyKey,
            @Valid @RequestBody CheckoutRequest request) {
        return service.checkout(caller, orgId, request, attempt(caller, "billing.checkout", idempotencyKey, request));
    }

    @Operation(summary = "Open the Stripe Billing Portal; answers the portal URL (owner, billing)")
    @PostMapping("/portal")
    public Mono<RedirectView> portal(Caller caller, @PathVariable UUID orgId,
            @RequestHeader(name = IdempotencyKey.HEADER, required = false) String idempotencyKey) {
        return service.portal(caller, orgId, attempt(caller, "billing.portal", idempotencyKey, null));
    }

    @Operation(summary = "List the organization's invoices, newest first (owner, billing)")
    @GetMapping("/invoices")
    public Mono<Page<InvoiceView>> invoices(Caller caller, @PathVariable UUID orgId,
            @RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit) {
        return service.invoices(caller, orgId, cursor, limit);
    }

    /** The client's Idempotency-Key (validated, scoped to the caller) when sent, otherwise this request's id. */
    private static String attempt(Caller caller, String operation, String header, Object request) {
        IdempotencyKey key = IdempotencyKey.of(caller.subject(), operation, header, request);
        return key == null ? "request " + caller.requestId() : key.scope() + " " + key.key();
    }
}
