package dev.relaygate.controlplane.propagation;

/** Redis key names and the invalidation channel of the propagation contract (docs/architecture.md). */
public final class RedisNames {

    public static final String INVALIDATION_CHANNEL = "rg:invalidations";

    private RedisNames() {
    }

    public static String keySnapshot(String sha256Hex) {
        return "rg:key:" + sha256Hex;
    }

    public static String planSnapshot(Object planId) {
        return "rg:plan:" + planId;
    }
}
