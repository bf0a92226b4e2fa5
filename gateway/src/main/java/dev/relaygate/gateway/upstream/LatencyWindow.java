package dev.relaygate.gateway.upstream;

import java.util.Arrays;

/**
 * The latencies of a chain's last {@value #SIZE} successful or cancelled (hedged) attempts, and their 95th percentile, the hedging delay:
 * as in "The Tail at Scale" (Dean and Barroso, 2013), a request still unanswered at the p95 of its kind is hedged,
 * which bounds the extra load to about 5 %. The percentile is recomputed every {@value #EVERY} samples (a sort of
 * {@value #SIZE} longs, a few microseconds) and read without a lock in between.
 */
final class LatencyWindow {

    static final int SIZE = 256;

    static final int EVERY = 32;

    private final long[] samples = new long[SIZE];

    /** The window sorted, reused by each recomputation (guarded by this). */
    private final long[] sorted = new long[SIZE];

    private int count;

    private volatile long p95 = -1;

    synchronized void record(long nanos) {
        samples[count % SIZE] = nanos;
        count++;
        if (count >= EVERY && count % EVERY == 0) {
            int length = Math.min(count, SIZE);
            System.arraycopy(samples, 0, sorted, 0, length);
            Arrays.sort(sorted, 0, length);
            p95 = sorted[(int) Math.ceil(length * 0.95) - 1];
        }
    }

    /** The p95 of the window, or -1 before {@value #EVERY} samples. */
    long p95Nanos() {
        return p95;
    }
}
