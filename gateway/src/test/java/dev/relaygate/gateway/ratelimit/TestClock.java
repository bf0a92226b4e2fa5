package dev.relaygate.gateway.ratelimit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.github.bucket4j.TimeMeter;

/** A bucket4j client-side clock that stands still until a test advances it. Starts at the wall-clock time. */
final class TestClock implements TimeMeter {

    private final AtomicLong nanos = new AtomicLong(System.currentTimeMillis() * 1_000_000L);

    @Override
    public long currentTimeNanos() {
        return nanos.get();
    }

    @Override
    public boolean isWallClockBased() {
        return true;
    }

    void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }
}
