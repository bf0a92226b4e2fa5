package dev.relaygate.controlplane.notification;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * The wait before a webhook attempt is retried: {@code initial × 2^(attempt − 1)}, capped at {@code max}, of which
 * a random half is taken off ("equal jitter"), so receivers that failed together are not retried together.
 */
final class Backoff {

    private final Duration initial;

    private final Duration max;

    private final DoubleSupplier random;

    Backoff(Duration initial, Duration max, DoubleSupplier random) {
        this.initial = initial;
        this.max = max;
        this.random = random;
    }

    /** The wait after failed attempt number {@code attempt} (1 for the first). */
    Duration after(int attempt) {
        long ceiling = max.toMillis();
        long base = initial.toMillis();
        int doublings = Math.min(Math.max(attempt - 1, 0), 40);
        // base × 2^doublings > ceiling exactly when base > ⌊ceiling / 2^doublings⌋; no shift can overflow then.
        long exponential = base > (ceiling >> doublings) ? ceiling : base << doublings;
        long half = exponential / 2;
        return Duration.ofMillis(exponential - half + (long) (random.getAsDouble() * half));
    }
}
