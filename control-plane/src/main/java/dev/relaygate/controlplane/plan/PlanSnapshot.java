package dev.relaygate.controlplane.plan;

import java.util.List;

/** The plan snapshot published to {@code rg:plan:{planId}} (contracts/plan-snapshot.json). */
public record PlanSnapshot(int schema, String planId, String name, long version, int computeUnitsPerSecond,
        int burstComputeUnits, int computeUnitsPerMinute, long monthlyComputeUnits, int maxBatchSize,
        int maxBodyBytes, List<String> allowedChains, List<String> methodClasses) {

    public static PlanSnapshot of(Plan plan) {
        return new PlanSnapshot(1, plan.id().toString(), plan.name(), plan.version(), plan.computeUnitsPerSecond(),
                plan.burstComputeUnits(), plan.computeUnitsPerMinute(), plan.monthlyComputeUnits(),
                plan.maxBatchSize(), plan.maxBodyBytes(), plan.allowedChains(), plan.methodClasses());
    }
}
