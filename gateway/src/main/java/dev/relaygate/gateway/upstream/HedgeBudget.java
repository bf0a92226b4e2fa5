package dev.relaygate.gateway.upstream;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The hedging budget of one chain: hedges are at most {@code ratio} of its hedgeable reads, so that hedging cannot
 * multiply the load when the gateway or the upstreams are saturated (then more reads pass the hedging delay, and
 * without a budget each would add a call). A token bucket in the manner of gRPC's retry throttling, filled by reads
 * rather than by time: each read adds {@code ratio} of a token, each hedge takes a whole one, and the bucket holds
 * {@code ratio × window} tokens (at least one), so that over any {@code n} reads at most {@code ratio × (n + window)}
 * are hedged. It starts full. Lock-free: one compare-and-set per read while the bucket is not full, none when it is.
 */
final class HedgeBudget {

    /** Tokens are counted in millionths, so that a fraction of a token per read adds up exactly enough. */
    private static final long ONE = 1_000_000;

    private final long perRead;

    private final long capacity;

    private final AtomicLong tokens;

    /**
     * @param ratio hedges per read at most, in [0, 1]
     * @param window the reads over which the ratio holds: the bucket holds {@code ratio × window} hedges
     */
    HedgeBudget(double ratio, int window) {
        if (!(ratio >= 0 && ratio <= 1) || window < 1) {
            throw new IllegalArgumentException("ratio must be in [0, 1] and window positive");
        }
        this.perRead = Math.round(ratio * ONE);
        this.capacity = perRead == 0 ? 0 : Math.max(ONE, perRead * window);
        this.tokens = new AtomicLong(capacity);
    }

    /** A hedgeable read started: its share of a hedge. */
    void read() {
        long current = tokens.get();
        while (current < capacity) {
            long next = Math.min(capacity, current + perRead);
            if (tokens.compareAndSet(current, next)) {
                return;
            }
            current = tokens.get();
        }
    }

    /** Takes a hedge from the budget; {@code false} (and nothing taken) when there is none. */
    boolean tryHedge() {
        long current = tokens.get();
        while (current >= ONE) {
            if (tokens.compareAndSet(current, current - ONE)) {
                return true;
            }
            current = tokens.get();
        }
        return false;
    }

    /** Gives back a hedge taken but not sent (no upstream was left to send it to). */
    void refund() {
        long current = tokens.get();
        while (!tokens.compareAndSet(current, Math.min(capacity, current + ONE))) {
            current = tokens.get();
        }
    }
}
