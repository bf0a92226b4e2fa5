package dev.relaygate.gateway.usage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Sums usage facts per (minute, organization, key, chain, method, outcome), exactly. Any thread may
 * {@link #offer} a fact: it goes into an unbounded lock-free queue (never dropped: a dropped fact is unbilled
 * traffic, and summing is in memory and cheap, so the one consumer keeps up). Only one thread at a time calls
 * {@link #cut}: it drains the queue into the sums and cuts them into batches.
 */
final class UsageAggregator {

    private final Queue<UsageFact> queue = new ConcurrentLinkedQueue<>();

    // Touched by the one cutting thread only.
    private final Map<RowKey, long[]> sums = new HashMap<>();

    private final String gatewayId;

    private final int maxRowsPerBatch;

    private long sequence;

    UsageAggregator(String gatewayId, int maxRowsPerBatch) {
        this.gatewayId = gatewayId;
        this.maxRowsPerBatch = maxRowsPerBatch;
    }

    String gatewayId() {
        return gatewayId;
    }

    /** Takes {@code fact} to be counted; never blocks, never drops. */
    void offer(UsageFact fact) {
        queue.offer(fact);
    }

    /**
     * Everything offered so far, summed and cut into batches of at most {@code maxRowsPerBatch} rows, each with the
     * next sequence number; empty when nothing was offered. One caller at a time.
     */
    List<UsageBatch> cut(Instant now) {
        UsageFact fact;
        while ((fact = queue.poll()) != null) {
            long[] sum = sums.computeIfAbsent(new RowKey(fact.minute(), fact.organizationId(), fact.keyId(),
                    fact.chain(), fact.method(), fact.outcome()), key -> new long[3]);
            sum[0]++;
            sum[1] += fact.computeUnits();
            sum[2] += fact.upstreamLatencyMillis();
        }
        if (sums.isEmpty()) {
            return List.of();
        }
        List<UsageBatch> batches = new ArrayList<>(1 + sums.size() / maxRowsPerBatch);
        List<UsageBatch.Row> rows = new ArrayList<>(Math.min(sums.size(), maxRowsPerBatch));
        for (Map.Entry<RowKey, long[]> entry : sums.entrySet()) {
            RowKey key = entry.getKey();
            long[] sum = entry.getValue();
            rows.add(new UsageBatch.Row(key.minute(), key.organizationId(), key.keyId(), key.chain(), key.method(),
                    key.outcome(), sum[0], sum[1], sum[2]));
            if (rows.size() == maxRowsPerBatch) {
                batches.add(batch(rows, now));
                rows = new ArrayList<>(maxRowsPerBatch);
            }
        }
        if (!rows.isEmpty()) {
            batches.add(batch(rows, now));
        }
        sums.clear();
        return batches;
    }

    private UsageBatch batch(List<UsageBatch.Row> rows, Instant now) {
        return new UsageBatch(UsageBatch.batchId(gatewayId, ++sequence), gatewayId, now, rows);
    }

    private record RowKey(long minute, String organizationId, String keyId, String chain, String method,
            UsageOutcome outcome) {
    }
}
