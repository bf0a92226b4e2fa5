package dev.relaygate.controlplane.billing;

import java.time.Instant;
import java.util.UUID;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * An organization's billing overview.
 *
 * @param planId               the plan in force now (what gateways enforce)
 * @param planName             its name
 * @param subscription         the Stripe subscription driving the plan, or null
 * @param computeUnitsThisPeriod compute units used so far in the current period (the subscription's, else the
 *                             calendar month, in whole UTC days), as far as the usage aggregates have counted
 */
public record BillingView(UUID organizationId, UUID planId, String planName, SubscriptionView subscription,
        @Schema(description = "Compute units used so far in the current period: the subscription's current period, "
                + "else the calendar month, counted in whole UTC days from the usage aggregates")
        long computeUnitsThisPeriod) {

    /**
     * A subscription as last read from Stripe.
     *
     * @param paidPlanId   the plan its price pays for (null if no plan names the price)
     * @param pastDueSince when it was first seen past due; null otherwise
     * @param graceEndsAt  when a past-due subscription loses its paid plan; null unless past due
     */
    public record SubscriptionView(String id, String status, UUID paidPlanId, Instant currentPeriodStart,
            Instant currentPeriodEnd, boolean cancelAtPeriodEnd, Instant pastDueSince, Instant graceEndsAt) {
    }
}
