package dev.relaygate.controlplane.plan;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A plan as the API shows it. */
public record PlanView(UUID id, String name, long version, int computeUnitsPerSecond, int burstComputeUnits,
        int computeUnitsPerMinute, long monthlyComputeUnits, int maxBatchSize, int maxBodyBytes,
        List<String> allowedChains, List<String> methodClasses, String stripePriceId, String stripeMeteredPriceId,
        boolean publicPlan, Instant archivedAt, Instant createdAt, Instant updatedAt) {

    public static PlanView of(Plan plan) {
        return new PlanView(plan.id(), plan.name(), plan.version(), plan.computeUnitsPerSecond(),
                plan.burstComputeUnits(), plan.computeUnitsPerMinute(), plan.monthlyComputeUnits(),
                plan.maxBatchSize(), plan.maxBodyBytes(), plan.allowedChains(), plan.methodClasses(),
                plan.stripePriceId(), plan.stripeMeteredPriceId(), plan.publicPlan(), plan.archivedAt(),
                plan.createdAt(), plan.updatedAt());
    }
}
