package dev.relaygate.gateway.ratelimit;

/**
 * The Redis key names of the token buckets, defined once ({@code docs/rate-limiting.md}).
 * Each bucket carries a TTL so the buckets of idle keys vanish.
 */
public final class RateLimitKeys {

    private static final String ORGANIZATION_PREFIX = "rg:rl:org:";

    private RateLimitKeys() {
    }

    /** {@code rg:rl:org:{organizationId}}: the bucket shared by all keys of an organization. */
    public static String organization(String organizationId) {
        return ORGANIZATION_PREFIX + organizationId;
    }
}
