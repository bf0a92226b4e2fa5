package dev.relaygate.gateway.auth;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** A plan as the control plane publishes it (docs/contracts/plan-snapshot.json): the limits a key inherits. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PlanSnapshot(
        int schema,
        String planId,
        String name,
        long version,
        long computeUnitsPerSecond,
        long burstComputeUnits,
        long computeUnitsPerMinute,
        long monthlyComputeUnits,
        int maxBatchSize,
        long maxBodyBytes,
        List<String> allowedChains,
        List<String> methodClasses) {

    public PlanSnapshot {
        allowedChains = allowedChains == null ? List.of() : List.copyOf(allowedChains);
        methodClasses = methodClasses == null ? List.of() : List.copyOf(methodClasses);
    }
}
