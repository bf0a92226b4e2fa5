package dev.relaygate.controlplane.usage;

import java.time.Instant;
import java.util.UUID;

/** One checked row of a usage batch: what one key did on one chain and method in one minute, by outcome. */
public record UsageRow(Instant minute, UUID organizationId, UUID keyId, String chain, String method, Outcome outcome,
        long calls, long computeUnits, long upstreamLatencyMillis) {
}
