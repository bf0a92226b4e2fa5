package dev.relaygate.controlplane.billing;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/** The subscription that drives an organization's plan, as stored ({@code billing_subscriptions}). */
public record BillingSubscription(UUID organizationId, String subscriptionId, String customerId, String status,
        String priceId, UUID paidPlanId, Instant currentPeriodStart, Instant currentPeriodEnd,
        boolean cancelAtPeriodEnd, Instant pastDueSince, Instant syncedAt) {

    /** Statuses in which a subscription is still in force (or about to be); the others are over. */
    private static final Set<String> LIVE = Set.of("active", "trialing", "past_due", "incomplete");

    public boolean live() {
        return LIVE.contains(status);
    }

    static boolean live(String status) {
        return LIVE.contains(status);
    }
}
