package dev.relaygate.controlplane.billing;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

import dev.relaygate.controlplane.usage.UsageStreamFixture;

/** Usage of an organization, sent the way a gateway sends it (rg:usage) and counted by the control plane. */
final class UsageFeed {

    private UsageFeed() {
    }

    /** Appends one row of usage at {@code minute} and waits until the control plane has counted it. */
    static void record(RedisClusterCommands<String, String> redis, UUID organizationId, Instant minute, long computeUnits) {
        UsageStreamFixture.Row row = new UsageStreamFixture.Row(minute.truncatedTo(ChronoUnit.MINUTES), organizationId,
                UUID.randomUUID(), "eth-mainnet", "eth_call", "ok", 1, computeUnits, 12);
        String id = UsageStreamFixture.append(redis, UsageStreamFixture.batch("billing-" + UUID.randomUUID(),
                List.of(row)));
        UsageStreamFixture.awaitAcknowledged(redis, id);
    }
}
