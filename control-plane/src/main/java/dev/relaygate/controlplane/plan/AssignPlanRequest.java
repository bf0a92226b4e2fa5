package dev.relaygate.controlplane.plan;

import java.util.UUID;

import jakarta.validation.constraints.NotNull;

/** Body of {@code PUT /v1/organizations/{orgId}/plan}. */
public record AssignPlanRequest(@NotNull UUID planId) {
}
