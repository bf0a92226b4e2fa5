package dev.relaygate.gateway.upstream;

import java.time.Duration;
import java.util.function.LongSupplier;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;

/**
 * What one upstream may still be sent: calls per second and compute units per second, as in-memory token buckets
 * (bucket4j) of one second's worth each. The gateway never sends beyond either; a call that would is sent to
 * another upstream. Budgets are per gateway instance: with N gateways, configure each with 1/N of the provider's
 * limit. Taking is all-or-nothing: a call that fits the request budget but not the compute-unit one takes neither.
 */
final class UpstreamBudget {

    private final Bucket requests;

    private final Bucket computeUnits;

    UpstreamBudget(long requestsPerSecond, long computeUnitsPerSecond, LongSupplier nanoTime) {
        this.requests = bucket(requestsPerSecond, nanoTime);
        this.computeUnits = bucket(computeUnitsPerSecond, nanoTime);
    }

    /** Takes {@code calls} requests and {@code units} compute units if both are available. */
    boolean tryTake(long calls, long units) {
        if (requests != null && !requests.tryConsume(calls)) {
            return false;
        }
        if (computeUnits != null && !computeUnits.tryConsume(Math.max(units, 1))) {
            if (requests != null) {
                requests.addTokens(calls);
            }
            return false;
        }
        return true;
    }

    private static Bucket bucket(long perSecond, LongSupplier nanoTime) {
        if (perSecond <= 0) {
            return null;
        }
        // One second's worth at once, refilled gradually: over any t seconds at most perSecond * (1 + t) are sent.
        return Bucket.builder()
            .addLimit(Bandwidth.builder().capacity(perSecond).refillGreedy(perSecond, Duration.ofSeconds(1)).build())
            .withCustomTimePrecision(new TimeMeter() {
                @Override
                public long currentTimeNanos() {
                    return nanoTime.getAsLong();
                }

                @Override
                public boolean isWallClockBased() {
                    return false;
                }
            })
            .build();
    }
}
