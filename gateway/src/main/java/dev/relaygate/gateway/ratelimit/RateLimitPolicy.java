package dev.relaygate.gateway.ratelimit;

/**
 * The limits a plan grants, as read from the plan snapshot ({@code docs/contracts/plan-snapshot.json}).
 * Every key of the plan and its organization as a whole are each held to these limits.
 *
 * @param computeUnitsPerSecond sustained rate: compute units refilled per second
 * @param burstComputeUnits     bucket capacity: what may be spent at once after a quiet period
 * @param computeUnitsPerMinute a second band: compute units per rolling minute
 */
public record RateLimitPolicy(long computeUnitsPerSecond, long burstComputeUnits, long computeUnitsPerMinute) {

    public RateLimitPolicy {
        requirePositive(computeUnitsPerSecond, "computeUnitsPerSecond");
        requirePositive(burstComputeUnits, "burstComputeUnits");
        requirePositive(computeUnitsPerMinute, "computeUnitsPerMinute");
    }

    private static void requirePositive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}
