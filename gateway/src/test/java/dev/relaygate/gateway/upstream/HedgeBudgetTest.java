package dev.relaygate.gateway.upstream;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The hedging budget: hedges at most a fraction of reads, with a burst of that fraction of the window. */
class HedgeBudgetTest {

    @Test
    void startsWithTheRatioOfAWindowOfHedges() {
        HedgeBudget budget = new HedgeBudget(0.1, 100);

        assertThat(hedges(budget, 100)).isEqualTo(10);
    }

    @Test
    void givesOneHedgePerTenReadsAtATenthOnceSpent() {
        HedgeBudget budget = new HedgeBudget(0.1, 100);
        hedges(budget, 100);

        int hedged = 0;
        for (int read = 0; read < 1000; read++) {
            budget.read();
            hedged += budget.tryHedge() ? 1 : 0;
        }

        assertThat(hedged).isEqualTo(100);
    }

    @Test
    void neverHoldsMoreThanTheWindowsShareHoweverManyReadsPassed() {
        HedgeBudget budget = new HedgeBudget(0.1, 100);
        IntStream.range(0, 10_000).forEach(read -> budget.read());

        assertThat(hedges(budget, 1000)).isEqualTo(10);
    }

    @Test
    void aRatioOfZeroNeverHedges() {
        HedgeBudget budget = new HedgeBudget(0, 100);
        IntStream.range(0, 1000).forEach(read -> budget.read());

        assertThat(budget.tryHedge()).isFalse();
    }

    @Test
    void aRefundedHedgeCanBeTakenAgain() {
        HedgeBudget budget = new HedgeBudget(0.01, 100);
        assertThat(budget.tryHedge()).isTrue();
        assertThat(budget.tryHedge()).isFalse();

        budget.refund();

        assertThat(budget.tryHedge()).isTrue();
    }

    @Test
    void holdsUnderConcurrentReadsAndHedges() {
        HedgeBudget budget = new HedgeBudget(0.1, 100);
        AtomicInteger hedged = new AtomicInteger();

        IntStream.range(0, 100_000).parallel().forEach(read -> {
            budget.read();
            if (budget.tryHedge()) {
                hedged.incrementAndGet();
            }
        });

        // The full bucket at the start, then a tenth of each read: never more, and no share lost to a race (but for
        // the shares of the reads that came while the bucket was still full, at most one per thread).
        assertThat(hedged.get()).isBetween(10 + 10_000 - Runtime.getRuntime().availableProcessors(), 10 + 10_000);
    }

    private static int hedges(HedgeBudget budget, int tries) {
        int taken = 0;
        for (int i = 0; i < tries; i++) {
            taken += budget.tryHedge() ? 1 : 0;
        }
        return taken;
    }
}
