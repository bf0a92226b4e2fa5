package dev.relaygate.controlplane.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.relaygate.controlplane.plan.Plan;

/** Which plan a subscription's status entitles an organization to. */
class EffectivePlanTest {

    private static final UUID PAID = UUID.randomUUID();

    private static final Instant NOW = Instant.parse("2026-03-10T00:00:00Z");

    private static final Duration GRACE = Duration.ofDays(7);

    private static BillingSubscription subscription(String status, UUID paidPlan, Instant pastDueSince) {
        return new BillingSubscription(UUID.randomUUID(), "sub_1", "cus_1", status, "price_1", paidPlan, null, null,
                false, pastDueSince, NOW);
    }

    @Test
    void activeAndTrialingSubscriptionsGetThePaidPlan() {
        assertThat(EffectivePlan.of(subscription("active", PAID, null), GRACE, NOW)).contains(PAID);
        assertThat(EffectivePlan.of(subscription("trialing", PAID, null), GRACE, NOW)).contains(PAID);
    }

    @Test
    void aPastDueSubscriptionKeepsThePaidPlanUntilTheGraceEnds() {
        Instant since = NOW.minus(GRACE).plusSeconds(1);

        assertThat(EffectivePlan.of(subscription("past_due", PAID, since), GRACE, NOW)).contains(PAID);
        assertThat(EffectivePlan.of(subscription("past_due", PAID, since), GRACE, NOW.plusSeconds(1)))
            .contains(Plan.FREE_PLAN_ID);
    }

    @Test
    void endedSubscriptionsFallBackToTheFreePlan() {
        for (String status : new String[] { "canceled", "unpaid", "incomplete_expired", "paused" }) {
            assertThat(EffectivePlan.of(subscription(status, PAID, null), GRACE, NOW)).as(status)
                .contains(Plan.FREE_PLAN_ID);
        }
    }

    @Test
    void anIncompleteSubscriptionOrAnUnknownPriceChangesNothing() {
        assertThat(EffectivePlan.of(subscription("incomplete", PAID, null), GRACE, NOW)).isEmpty();
        assertThat(EffectivePlan.of(subscription("active", null, null), GRACE, NOW)).isEmpty();
    }
}
