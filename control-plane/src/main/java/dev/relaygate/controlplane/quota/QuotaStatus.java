package dev.relaygate.controlplane.quota;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * An organization's quota status in the current period: its plan's monthly quota and each capped key's daily and
 * monthly caps, with the compute units charged so far according to the usage aggregates.
 */
@Schema(description = "Current-period quota status. Counts come from the usage aggregates, so they lag the gateways "
        + "by the usage pipeline's delay (about a second's flush plus consumption); the gateways enforce from their "
        + "own counters")
public record QuotaStatus(UUID organizationId,
        @Schema(description = "Start of the current calendar month (UTC)") Instant periodStart,
        @Schema(description = "End of the current calendar month (UTC), when the monthly quotas reset") Instant periodEnd,
        @Schema(description = "The organization's monthly quota (its plan's monthlyComputeUnits)") Allowance organization,
        @Schema(description = "Unrevoked keys with a daily or monthly cap, oldest first") List<KeyQuota> keys,
        @Schema(description = "When the status was computed") Instant asOf) {

    /**
     * One allowance and what was charged against it.
     *
     * @param limit       compute units allowed in the period; null when there is no such limit
     * @param used        compute units charged in the period so far
     * @param remaining   {@code limit - used}, at least 0; null without a limit
     * @param percentUsed {@code used / limit} in percent (may exceed 100 by the documented overshoot); null without a
     *                    limit
     * @param resetsAt    end of the period
     */
    public record Allowance(Long limit, long used, Long remaining, Double percentUsed, Instant resetsAt) {

        static Allowance of(Long limit, long used, Instant resetsAt) {
            if (limit == null || limit <= 0) {
                return new Allowance(null, used, null, null, resetsAt);
            }
            return new Allowance(limit, used, Math.max(0, limit - used), Math.round(used * 10_000.0 / limit) / 100.0,
                    resetsAt);
        }
    }

    /** A capped key: its daily cap (today, UTC) and its monthly cap (this month). */
    public record KeyQuota(UUID keyId, String name, String displayPrefix, Allowance daily, Allowance monthly) {
    }
}
