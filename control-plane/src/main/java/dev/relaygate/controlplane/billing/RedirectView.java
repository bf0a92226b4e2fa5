package dev.relaygate.controlplane.billing;

/** Where to send the user's browser: a Stripe Checkout or Billing Portal page. */
public record RedirectView(String url) {
}
