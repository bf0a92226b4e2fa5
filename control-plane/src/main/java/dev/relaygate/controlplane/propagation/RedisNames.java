package dev.relaygate.controlplane.propagation;

/**
 * Redis key names and the invalidation channel of the propagation contract (docs/architecture.md), and the usage
 * stream gateways append to (docs/usage-and-quotas.md).
 */
public final class RedisNames {

    public static final String INVALIDATION_CHANNEL = "rg:invalidations";

    /** The stream of usage batches (docs/contracts/usage-batch.json), one {@code batch} field per entry. */
    public static final String USAGE_STREAM = "rg:usage";

    /** The field of a usage stream entry that holds the batch document. */
    public static final String USAGE_BATCH_FIELD = "batch";

    private RedisNames() {
    }

    public static String keySnapshot(String sha256Hex) {
        return "rg:key:" + sha256Hex;
    }

    public static String planSnapshot(Object planId) {
        return "rg:plan:" + planId;
    }
}
