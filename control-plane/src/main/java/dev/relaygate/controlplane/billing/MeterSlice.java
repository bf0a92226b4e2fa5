package dev.relaygate.controlplane.billing;

import java.time.Instant;
import java.util.UUID;

/**
 * One slice of usage for the Stripe Billing Meter: the compute units of one organization in one completed UTC hour
 * ({@code seq} 0), or usage that arrived for that hour after it was reported ({@code seq} 1, 2, …).
 *
 * @param identifier the meter event identifier, fixed when the slice was planned (see {@link MeterLedger})
 */
public record MeterSlice(UUID organizationId, Instant hour, int seq, String identifier, String customerId,
        long computeUnits) {
}
