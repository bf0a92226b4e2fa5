package dev.relaygate.gateway.usage;

/**
 * How one metered call ended, as the {@code outcome} of a usage row (docs/contracts/usage-batch.json).
 * Only {@link #OK} and {@link #RPC_ERROR} are charged compute units (see docs/usage-and-quotas.md, "Gateway side").
 */
public enum UsageOutcome {

    /** The node answered the call with a result (or the call was a notification the node accepted). */
    OK("ok", true),

    /** The node answered the call with a JSON-RPC error object: the node did the work, the call is charged. */
    RPC_ERROR("rpc_error", true),

    /** The gateway's rate limiter refused the request; nothing was relayed, nothing is charged. */
    RATE_LIMITED("rate_limited", false),

    /**
     * No usable answer for the call (connection failure, timeout, a non-JSON or non-2xx answer, a batch answer
     * missing the call, the caller gone before the answer). Not charged: the failure is the provider's, not the
     * caller's, even though the limiter's bucket did take the units for load protection.
     */
    UPSTREAM_ERROR("upstream_error", false);

    private final String wire;

    private final boolean charged;

    UsageOutcome(String wire, boolean charged) {
        this.wire = wire;
        this.charged = charged;
    }

    /** The name in a usage batch. */
    public String wire() {
        return wire;
    }

    /** Whether a call with this outcome is charged its weight. */
    public boolean charged() {
        return charged;
    }
}
