package dev.relaygate.controlplane.billing;

import org.springframework.http.HttpStatus;

import dev.relaygate.controlplane.web.ApiException;

/** The refusals specific to billing, worded once. */
final class BillingProblems {

    private BillingProblems() {
    }

    static ApiException notConfigured() {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Billing not configured",
                "Billing is not configured on this control plane (no Stripe API key); plans are assigned by "
                        + "platform administrators");
    }

    static ApiException badSignature() {
        return new ApiException(HttpStatus.BAD_REQUEST, "Invalid signature",
                "The Stripe-Signature header does not verify against this endpoint's secrets, or is too old or in "
                        + "the future");
    }
}
