package dev.relaygate.controlplane.usage;

import java.util.Locale;

/** How a metered call ended, as the gateway reports it in a usage row (docs/contracts/usage-batch.json). */
public enum Outcome {
    /** The node answered with a result. */
    OK,
    /** The node answered with a JSON-RPC error. */
    RPC_ERROR,
    /** Refused by a rate or quota limit; charged nothing. */
    RATE_LIMITED,
    /** No usable answer from the node. */
    UPSTREAM_ERROR;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The outcome named {@code wire}, or null if there is none. */
    static Outcome fromWire(String wire) {
        for (Outcome outcome : values()) {
            if (outcome.wire().equals(wire)) {
                return outcome;
            }
        }
        return null;
    }

    /** Whether a call with this outcome is one of the metered {@code calls} (a refused call is not). */
    boolean admitted() {
        return this != RATE_LIMITED;
    }

    boolean error() {
        return this == RPC_ERROR || this == UPSTREAM_ERROR;
    }
}
