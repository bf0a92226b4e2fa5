package dev.relaygate.controlplane.notification;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.UUID;

import io.swagger.v3.oas.annotations.media.Schema;

/** One notification and its webhook delivery, as listed by the API. */
@Schema(description = "A quota notification and its delivery to the organization's webhook")
public record DeliveryView(UUID id, UUID organizationId,
        @Schema(description = "What reached the threshold", allowableValues = { "org", "key" }) String subjectKind,
        @Schema(description = "The organization's id or the key's id") UUID subjectId,
        @Schema(description = "The organization's monthly quota, or a key's daily or monthly cap",
                allowableValues = { "monthly", "daily" }) String quota,
        @Schema(description = "First day of the period (UTC)") LocalDate periodStart,
        @Schema(description = "Percent of the allowance reached: 80 or 100") int threshold,
        @Schema(description = "Compute units charged in the period when it was detected") long used,
        @Schema(description = "The allowance, in compute units") long limit,
        @Schema(description = "pending: to be sent (again) at nextAttemptAt; delivered: the receiver answered 2xx; "
                + "failed: given up after the last attempt, or the webhook was removed; skipped: the organization "
                + "had no webhook when the threshold was crossed",
                allowableValues = { "pending", "delivered", "failed", "skipped" }) String status,
        @Schema(description = "Attempts made (or under way)") int attempts,
        Instant nextAttemptAt,
        @Schema(description = "HTTP status of the last attempt, if it got one") Integer lastStatusCode,
        @Schema(description = "Why the last attempt failed") String lastError,
        Instant createdAt, Instant deliveredAt,
        @Schema(description = "The JSON document POSTed to the webhook (docs/usage-and-quotas.md, \"Payload\")")
        Map<String, Object> payload) {
}
