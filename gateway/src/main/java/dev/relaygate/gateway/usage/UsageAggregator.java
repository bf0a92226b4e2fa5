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
 * traffic, and summing is in memory and cheap, so the one consumer keeps up). {@link #fold} drains the queue into the
 * sums, {@link #cut} also cuts the sums into batches; one at a time (a lock only they take, never a request's thread).
 * <p>
 * Folded often (every 100 ms, {@link UsageRecorder}) and cut once per flush: facts left in the queue for a whole
 * flush interval (1 s, some 20,000 of them at 20,000 requests/s) outlived the young collections and were promoted,
 * which filled the old generation of a 120 MB heap in two minutes, a full collection each time: usage recording cost
 * 7-10 % of the throughput at 50 connections, 2-3 % since (load-tests/bench/performance-notes.md). The sums are a
 * few rows.
 */
final class UsageAggregator {

    private final Queue<UsageFact> queue = new ConcurrentLinkedQueue<>();

    // Touched under this aggregator's lock only (fold, cut).
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
    synchronized List<UsageBatch> cut(Instant now) {
        fold();
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

    /** Facts offered and not yet folded into the sums (counted one by one: for tests). */
    int pending() {
        return queue.size();
    }

    /** Adds every fact offered so far to the sums, to be cut later. */
    synchronized void fold() {
        UsageFact fact;
        while ((fact = queue.poll()) != null) {
            long[] sum = sums.computeIfAbsent(new RowKey(fact.minute(), fact.organizationId(), fact.keyId(),
                    fact.chain(), fact.method(), fact.outcome()), key -> new long[3]);
            sum[0]++;
            sum[1] += fact.computeUnits();
            sum[2] += fact.upstreamLatencyMillis();
        }
    }

    private UsageBatch batch(List<UsageBatch.Row> rows, Instant now) {
        return new UsageBatch(UsageBatch.batchId(gatewayId, ++sequence), gatewayId, now, rows);
    }

    private record RowKey(long minute, String organizationId, String keyId, String chain, String method,
            UsageOutcome outcome) {
    }
}
