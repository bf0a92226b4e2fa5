package dev.relaygate.gateway.ratelimit;

/**
 * The Redis key names of the token buckets, defined once ({@code docs/rate-limiting.md}).
 * Each bucket carries a TTL so the buckets of idle keys vanish.
 *
 * <p>A bucket's name carries the limits it is shaped by, so a bucket only ever has one configuration: when an
 * organization moves to another plan, or its plan's limits are edited, its requests go to the bucket of the new
 * shape at once. Plan versions cannot play that part: an organization moved between two plans sees no version
 * rise (both may be at version 1), and a bucket stored under the old shape would keep the old limits.
 */
public final class RateLimitKeys {

    private static final String ORGANIZATION_PREFIX = "rg:rl:org:";

    private RateLimitKeys() {
    }

    /**
     * {@code rg:rl:org:{organizationId}:{burst}:{perSecond}:{perMinute}}: the bucket shared by all keys of an
     * organization while its plan grants these limits.
     */
    public static String organization(String organizationId, RateLimitPolicy policy) {
        return ORGANIZATION_PREFIX + organizationId + ':' + policy.burstComputeUnits() + ':'
            + policy.computeUnitsPerSecond() + ':' + policy.computeUnitsPerMinute();
    }
}
