package dev.relaygate.gateway.ratelimit;

import java.util.Objects;

/**
 * A key's own limits, from its policy in the key snapshot ({@code docs/contracts/key-snapshot.json}): a rate and
 * daily and monthly compute-unit caps, each 0 when the key has none. A key without any ({@link #NONE}) costs the
 * limiter nothing beyond its organization's bucket and quota.
 *
 * @param keyId                 the key's id (its caps are counted per key, across its secrets)
 * @param computeUnitsPerSecond the key's own sustained rate, its bucket holding one second of it
 * @param dailyComputeUnits     compute units the key may spend per UTC day
 * @param monthlyComputeUnits   compute units the key may spend per calendar month (UTC)
 */
public record KeyCaps(String keyId, long computeUnitsPerSecond, long dailyComputeUnits, long monthlyComputeUnits) {

    public static final KeyCaps NONE = new KeyCaps("", 0, 0, 0);

    public KeyCaps {
        Objects.requireNonNull(keyId, "keyId");
        if (computeUnitsPerSecond < 0 || dailyComputeUnits < 0 || monthlyComputeUnits < 0) {
            throw new IllegalArgumentException("caps are positive, or 0 for none");
        }
    }

    /** The caps of a key, or {@link #NONE} (no allocation) when it has none. */
    public static KeyCaps of(String keyId, long computeUnitsPerSecond, long dailyComputeUnits,
            long monthlyComputeUnits) {
        if (computeUnitsPerSecond <= 0 && dailyComputeUnits <= 0 && monthlyComputeUnits <= 0) {
            return NONE;
        }
        return new KeyCaps(keyId, Math.max(0, computeUnitsPerSecond), Math.max(0, dailyComputeUnits),
            Math.max(0, monthlyComputeUnits));
    }

    boolean hasRate() {
        return computeUnitsPerSecond > 0;
    }

    boolean hasCounters() {
        return dailyComputeUnits > 0 || monthlyComputeUnits > 0;
    }

    /** The key's bucket: one second of its rate as burst, the same rate over a minute. */
    RateLimitPolicy ratePolicy() {
        return new RateLimitPolicy(computeUnitsPerSecond, computeUnitsPerSecond,
            Math.multiplyExact(computeUnitsPerSecond, 60));
    }
}
