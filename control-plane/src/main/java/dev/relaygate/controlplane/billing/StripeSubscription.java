package dev.relaygate.controlplane.billing;

import java.time.Instant;

/** The fields of a Stripe subscription that decide an organization's plan, as read from Stripe. */
public record StripeSubscription(String id, String customerId, String status, String priceId,
        Instant currentPeriodStart, Instant currentPeriodEnd, boolean cancelAtPeriodEnd) {
}
