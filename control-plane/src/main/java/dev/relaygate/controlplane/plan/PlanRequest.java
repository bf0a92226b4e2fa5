package dev.relaygate.controlplane.plan;

import java.util.List;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/**
 * Body of {@code POST /v1/plans} (every limit required) and {@code PATCH /v1/plans/{planId}} (absent fields stay
 * as they are). Limits are in compute units (CU).
 */
public record PlanRequest(
        @Size(min = 1, max = 100) @Pattern(regexp = ".*\\S.*") String name,
        @Positive Integer computeUnitsPerSecond,
        @Positive Integer burstComputeUnits,
        @Positive Integer computeUnitsPerMinute,
        @PositiveOrZero Long monthlyComputeUnits,
        @Min(1) @Max(10000) Integer maxBatchSize,
        @Min(1024) @Max(104857600) Integer maxBodyBytes,
        @Size(max = 100) List<@Pattern(regexp = "[a-z0-9][a-z0-9-]{0,62}") String> allowedChains,
        @Size(max = 20) List<@Pattern(regexp = "[a-z][a-z0-9_-]{0,39}") String> methodClasses,
        @Size(max = 255) String stripePriceId,
        @Size(max = 255) String stripeMeteredPriceId,
        Boolean publicPlan) {
}
