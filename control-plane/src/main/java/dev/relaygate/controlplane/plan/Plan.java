package dev.relaygate.controlplane.plan;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A plan as stored: limits every key of an organization on it shares. */
public record Plan(UUID id, String name, long version, int computeUnitsPerSecond, int burstComputeUnits,
        int computeUnitsPerMinute, long monthlyComputeUnits, int maxBatchSize, int maxBodyBytes,
        List<String> allowedChains, List<String> methodClasses, String stripePriceId,
        String stripeMeteredPriceId, boolean publicPlan, Instant archivedAt, Instant createdAt, Instant updatedAt) {

    /** The plan every new organization starts on (seeded by the first migration). */
    public static final UUID FREE_PLAN_ID = UUID.fromString("00000000-0000-0000-0000-00000000f4ee");

    public Plan {
        allowedChains = List.copyOf(allowedChains);
        methodClasses = List.copyOf(methodClasses);
    }

    public boolean archived() {
        return archivedAt != null;
    }
}
