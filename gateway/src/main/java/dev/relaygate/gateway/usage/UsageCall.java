package dev.relaygate.gateway.usage;

import java.util.Objects;

/**
 * One call of a metered request: its method, the id it was sent with (to find its answer in a batch answer), and
 * its weight in compute units.
 *
 * @param method the call's method
 * @param id the call's id as JSON text ({@code 1}, {@code "a"}), or {@code null} for a notification
 * @param computeUnits the call's weight (ratelimit's MethodWeights), charged when the outcome is charged
 */
public record UsageCall(String method, String id, long computeUnits) {

    public UsageCall {
        Objects.requireNonNull(method, "method");
        if (computeUnits < 0) {
            throw new IllegalArgumentException("computeUnits < 0");
        }
    }

    public boolean notification() {
        return id == null;
    }
}
