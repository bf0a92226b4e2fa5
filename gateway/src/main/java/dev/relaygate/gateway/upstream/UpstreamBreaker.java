package dev.relaygate.gateway.upstream;

import java.time.Duration;

import dev.relaygate.gateway.routing.ChainProperties;

/**
 * The circuit breaker of one upstream, as passive outlier detection: {@code consecutiveFailures} failures in a row
 * open it (the upstream is ejected) for a back-off that doubles with each ejection in a row, up to a ceiling. Once the
 * back-off has passed the breaker is half-open: calls flow again, one success closes it and forgets the back-off,
 * one failure opens it again for twice as long. Rate-limit answers open it at once.
 * <p>
 * Why not Resilience4j's breaker: its open-state wait would do, but it counts failures in windows and admits a
 * fixed number of half-open probes, where ejection with back-off wants "consecutive failures" and a clock the
 * selector already reads; this is 60 lines. Thread-safe by {@code synchronized}: each call holds it for a few
 * field updates, never across I/O.
 */
final class UpstreamBreaker {

    private final int threshold;

    private final long baseBackOffNanos;

    private final long maxBackOffNanos;

    private int failuresInARow;

    private int ejectionsInARow;

    private long ejectedUntilNanos;

    private boolean ejectedOnce;

    UpstreamBreaker(ChainProperties.Ejection settings) {
        this.threshold = settings.consecutiveFailures();
        this.baseBackOffNanos = settings.baseBackOff().toNanos();
        this.maxBackOffNanos = Math.max(baseBackOffNanos, settings.maxBackOff().toNanos());
    }

    /** Whether the upstream is ejected at {@code nowNanos}. */
    synchronized boolean open(long nowNanos) {
        return ejectedOnce && nowNanos - ejectedUntilNanos < 0;
    }

    synchronized void onSuccess() {
        failuresInARow = 0;
        ejectionsInARow = 0;
    }

    /** A failure at {@code nowNanos}; ejects after enough in a row, or after one while half-open. */
    synchronized void onFailure(long nowNanos) {
        if (open(nowNanos)) {
            return;
        }
        failuresInARow++;
        if (failuresInARow >= threshold || ejectionsInARow > 0) {
            eject(nowNanos, 0);
        }
    }

    /** Ejects at once, for at least {@code atLeast} (a Retry-After) and at least the back-off. */
    synchronized void ejectNow(long nowNanos, Duration atLeast) {
        if (!open(nowNanos)) {
            eject(nowNanos, atLeast.toNanos());
        }
    }

    private void eject(long nowNanos, long atLeastNanos) {
        long backOff = baseBackOffNanos << Math.min(ejectionsInARow, 20);
        backOff = Math.min(backOff <= 0 ? maxBackOffNanos : backOff, maxBackOffNanos);
        ejectedUntilNanos = nowNanos + Math.max(backOff, atLeastNanos);
        ejectedOnce = true;
        ejectionsInARow++;
        failuresInARow = 0;
    }
}
