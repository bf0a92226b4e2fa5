package dev.relaygate.gateway.ratelimit;

/**
 * The Redis key names of the token buckets and quota counters, defined once ({@code docs/rate-limiting.md},
 * {@code docs/usage-and-quotas.md}). Each carries a TTL so the buckets of idle keys and ended periods vanish.
 *
 * <p>A bucket's name carries the limits it is shaped by, so a bucket only ever has one configuration: when an
 * organization moves to another plan, or its plan's limits are edited, its requests go to the bucket of the new
 * shape at once. Plan versions cannot play that part: an organization moved between two plans sees no version
 * rise (both may be at version 1), and a bucket stored under the old shape would keep the old limits.
 */
public final class RateLimitKeys {

    private static final String ORGANIZATION_PREFIX = "rg:rl:org:";

    private static final String KEY_PREFIX = "rg:rl:key:";

    private static final String ORGANIZATION_QUOTA_PREFIX = "rg:q:org:";

    private static final String KEY_QUOTA_PREFIX = "rg:q:key:";

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

    /** {@code rg:rl:key:{keyId}:{perSecond}}: the bucket of a key that carries a rate of its own. */
    public static String key(String keyId, long computeUnitsPerSecond) {
        return KEY_PREFIX + keyId + ':' + computeUnitsPerSecond;
    }

    /** {@code rg:q:org:{organizationId}:{yyyyMM}}: compute units the organization was admitted in a month (UTC). */
    public static String organizationQuota(String organizationId, String month) {
        return ORGANIZATION_QUOTA_PREFIX + organizationId + ':' + month;
    }

    /** {@code rg:q:key:{keyId}:d:{yyyyMMdd}}: compute units a capped key was admitted in a day (UTC). */
    public static String keyDailyQuota(String keyId, String day) {
        return KEY_QUOTA_PREFIX + keyId + ":d:" + day;
    }

    /** {@code rg:q:key:{keyId}:m:{yyyyMM}}: compute units a capped key was admitted in a month (UTC). */
    public static String keyMonthlyQuota(String keyId, String month) {
        return KEY_QUOTA_PREFIX + keyId + ":m:" + month;
    }
}
