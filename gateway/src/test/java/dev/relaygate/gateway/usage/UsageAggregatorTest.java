package dev.relaygate.gateway.usage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Aggregation per (minute, organization, key, chain, method, outcome): exact, whatever the concurrency. */
class UsageAggregatorTest {

    private static final Instant NOW = Instant.parse("2026-12-02T10:15:01.250Z");

    @Test
    void sumsEveryFactExactlyWhileEightThreadsRecordOneFoldsAndOneCutsConcurrently() throws Exception {
        UsageAggregator aggregator = new UsageAggregator("g", 1000);
        int threads = 8;
        int perThread = 100_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            producers.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < perThread; i++) {
                    UsageOutcome outcome = i % 10 == 0 ? UsageOutcome.RATE_LIMITED : UsageOutcome.OK;
                    aggregator.offer(new UsageFact(60_000L * (i % 3), "org", "key-" + (thread % 4), "anvil",
                            "m" + (i % 7), outcome, outcome.charged() ? 3 : 0, 2));
                }
                return null;
            }));
        }
        // Folding (between flushes) on a thread of its own, beside the producers and the cutter.
        Future<?> folder = pool.submit(() -> {
            start.await();
            while (!producers.stream().allMatch(Future::isDone)) {
                aggregator.fold();
            }
            return null;
        });
        List<UsageBatch> batches = new ArrayList<>();
        start.countDown();
        while (!producers.stream().allMatch(Future::isDone)) {
            batches.addAll(aggregator.cut(NOW));
        }
        folder.get();
        for (Future<?> producer : producers) {
            producer.get();
        }
        batches.addAll(aggregator.cut(NOW));
        pool.shutdown();

        long calls = 0;
        long computeUnits = 0;
        long latency = 0;
        long rateLimited = 0;
        Set<String> ids = new HashSet<>();
        for (UsageBatch batch : batches) {
            assertThat(ids.add(batch.batchId())).isTrue();
            assertThat(batch.rows()).hasSizeLessThanOrEqualTo(1000);
            for (UsageBatch.Row row : batch.rows()) {
                calls += row.calls();
                computeUnits += row.computeUnits();
                latency += row.upstreamLatencyMillis();
                rateLimited += row.outcome() == UsageOutcome.RATE_LIMITED ? row.calls() : 0;
            }
        }
        long total = (long) threads * perThread;
        assertThat(calls).isEqualTo(total);
        assertThat(rateLimited).isEqualTo(total / 10);
        assertThat(computeUnits).isEqualTo(3 * (total - total / 10));
        assertThat(latency).isEqualTo(2 * total);
    }

    @Test
    void foldingEmptiesTheQueueAndTheNextCutCarriesWhatWasFolded() {
        UsageAggregator aggregator = new UsageAggregator("g", 1000);
        for (int i = 0; i < 3; i++) {
            aggregator.offer(new UsageFact(0, "org", "key", "anvil", "eth_call", UsageOutcome.OK, 26, 5));
        }
        assertThat(aggregator.pending()).isEqualTo(3);

        aggregator.fold();

        assertThat(aggregator.pending()).isZero();
        List<UsageBatch> batches = aggregator.cut(NOW);
        assertThat(batches).singleElement().satisfies(batch -> assertThat(batch.rows()).singleElement()
            .satisfies(row -> {
                assertThat(row.calls()).isEqualTo(3);
                assertThat(row.computeUnits()).isEqualTo(78);
            }));
        assertThat(aggregator.cut(NOW)).isEmpty();
    }

    @Test
    void oneRowPerMinuteKeyMethodAndOutcome() {
        UsageAggregator aggregator = new UsageAggregator("g", 1000);
        aggregator.offer(fact(0, "eth_call", UsageOutcome.OK, 26));
        aggregator.offer(fact(0, "eth_call", UsageOutcome.OK, 26));
        aggregator.offer(fact(0, "eth_call", UsageOutcome.RPC_ERROR, 26));
        aggregator.offer(fact(60_000, "eth_call", UsageOutcome.OK, 26));

        List<UsageBatch> batches = aggregator.cut(NOW);

        assertThat(batches).singleElement().satisfies(batch -> assertThat(batch.rows())
            .extracting(UsageBatch.Row::minute, UsageBatch.Row::outcome, UsageBatch.Row::calls,
                    UsageBatch.Row::computeUnits)
            .containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(0L, UsageOutcome.OK, 2L, 52L),
                org.assertj.core.groups.Tuple.tuple(0L, UsageOutcome.RPC_ERROR, 1L, 26L),
                org.assertj.core.groups.Tuple.tuple(60_000L, UsageOutcome.OK, 1L, 26L)));
        assertThat(aggregator.cut(NOW)).isEmpty();
    }

    @Test
    void cutsManyRowsIntoBatchesWithConsecutiveStableIds() {
        UsageAggregator aggregator = new UsageAggregator("3f9c2a7e1b5d4c6a", 2);
        for (int i = 0; i < 5; i++) {
            aggregator.offer(fact(0, "m" + i, UsageOutcome.OK, 1));
        }

        List<UsageBatch> batches = aggregator.cut(NOW);

        assertThat(batches).extracting(UsageBatch::batchId).containsExactly("3f9c2a7e1b5d4c6a-000000000001",
                "3f9c2a7e1b5d4c6a-000000000002", "3f9c2a7e1b5d4c6a-000000000003");
        assertThat(batches).extracting(batch -> batch.rows().size()).containsExactly(2, 2, 1);
    }

    private static UsageFact fact(long minute, String method, UsageOutcome outcome, long computeUnits) {
        return new UsageFact(minute, "org", "key", "anvil", method, outcome, computeUnits, 1);
    }
}
