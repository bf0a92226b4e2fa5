package dev.relaygate.controlplane.billing;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import dev.relaygate.controlplane.plan.Plan;

/**
 * Decides which plan a subscription entitles an organization to, from the subscription's current status alone
 * (never from the order events arrived in): active or trialing → the paid plan; past due → the paid plan until
 * the grace period ends, then the free plan; ended (canceled, unpaid, incomplete_expired, paused) → the free plan.
 * An incomplete subscription (first payment pending) and a price no plan names decide nothing: the organization
 * keeps the plan it has, so a misconfigured price never throttles a paying customer.
 */
public final class EffectivePlan {

    private EffectivePlan() {
    }

    /** The plan the organization must be on, or empty to leave it where it is. */
    public static Optional<UUID> of(BillingSubscription subscription, Duration grace, Instant now) {
        UUID paid = subscription.paidPlanId();
        return switch (subscription.status()) {
            case "active", "trialing" -> Optional.ofNullable(paid);
            case "past_due" -> inGrace(subscription, grace, now) ? Optional.ofNullable(paid)
                    : Optional.of(Plan.FREE_PLAN_ID);
            case "incomplete" -> Optional.empty();
            default -> Optional.of(Plan.FREE_PLAN_ID);
        };
    }

    /** When a past-due subscription loses its paid plan; null unless past due. */
    public static Instant graceEnd(BillingSubscription subscription, Duration grace) {
        return subscription.pastDueSince() == null ? null : subscription.pastDueSince().plus(grace);
    }

    private static boolean inGrace(BillingSubscription subscription, Duration grace, Instant now) {
        Instant end = graceEnd(subscription, grace);
        return end != null && now.isBefore(end);
    }
}
