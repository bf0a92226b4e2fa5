package dev.relaygate.gateway.observability;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import org.slf4j.Logger;

/**
 * A warning that can recur on every request while a dependency is down (Redis and the control plane both unreachable,
 * say): logged at once the first time, then at most once per interval, each line saying how many like it were held
 * back since the one before. One line per request would bury everything else in the log, and cost the hot path.
 */
public final class ThrottledWarning {

    private final Logger log;

    private final long intervalNanos;

    private final LongSupplier nanoTime;

    /** When the next line may be logged. */
    private final AtomicLong nextLine;

    private final LongAdder heldBack = new LongAdder();

    public ThrottledWarning(Logger log, Duration interval) {
        this(log, interval, System::nanoTime);
    }

    ThrottledWarning(Logger log, Duration interval, LongSupplier nanoTime) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
        this.nextLine = new AtomicLong(nanoTime.getAsLong());
    }

    /**
     * Logs {@code format} with {@code arguments} (SLF4J style; no throwable: a stack trace per line is what this
     * avoids), or counts it when a line was logged less than the interval ago.
     */
    public void warn(String format, Object... arguments) {
        long now = nanoTime.getAsLong();
        long next = nextLine.get();
        if (now - next < 0 || !nextLine.compareAndSet(next, now + intervalNanos)) {
            heldBack.increment();
            return;
        }
        long held = heldBack.sumThenReset();
        if (held == 0) {
            log.warn(format, arguments);
            return;
        }
        Object[] withCount = Arrays.copyOf(arguments, arguments.length + 1);
        withCount[arguments.length] = held;
        log.warn(format + " ({} more like it since the last such line)", withCount);
    }
}
