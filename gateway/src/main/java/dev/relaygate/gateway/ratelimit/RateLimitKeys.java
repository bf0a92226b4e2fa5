package dev.relaygate.gateway.ratelimit;

/**
 * The Redis key names of the token buckets and quota counters, defined once ({@code docs/rate-limiting.md},
 * {@code docs/usage-and-quotas.md}). Each carries a TTL so the buckets of idle keys and ended periods vanish.
 * In the formats below {@code <…>} stands for a value; braces are literal.
 *
 * <p>A bucket's name carries the limits it is shaped by, so a bucket only ever has one configuration: when an
 * organization moves to another plan, or its plan's limits are edited, its requests go to the bucket of the new
 * shape at once. Plan versions cannot play that part: an organization moved between two plans sees no version
 * rise (both may be at version 1), and a bucket stored under the old shape would keep the old limits.
 *
 * <p><b>Hash tag.</b> The organization bucket's script also adds to the organization's quota counters and its keys'
 * caps ({@link OneTripProxyManager}); on a Redis Cluster a script may only touch keys of one slot. So each of those
 * names carries the organization id in braces, {@code {<organizationId>}}, the part Redis Cluster hashes: an
 * organization's bucket and counters share a slot, and organizations spread over the cluster. A key's own rate
 * bucket is used alone, so it has no tag and spreads by its whole name (docs/redis.md).
 */
public final class RateLimitKeys {

    private static final String ORGANIZATION_PREFIX = "rg:rl:org:";

    private static final String KEY_PREFIX = "rg:rl:key:";

    private static final String ORGANIZATION_QUOTA_PREFIX = "rg:q:org:";

    private static final String KEY_QUOTA_PREFIX = "rg:q:key:";

    private RateLimitKeys() {
    }

    /**
     * {@code rg:rl:org:{<organizationId>}:<burst>:<perSecond>:<perMinute>}: the bucket shared by all keys of an
     * organization while its plan grants these limits.
     */
    public static String organization(String organizationId, RateLimitPolicy policy) {
        return ORGANIZATION_PREFIX + tag(organizationId) + ':' + policy.burstComputeUnits() + ':'
            + policy.computeUnitsPerSecond() + ':' + policy.computeUnitsPerMinute();
    }

    /** {@code rg:rl:key:<keyId>:<perSecond>}: the bucket of a key that carries a rate of its own. */
    public static String key(String keyId, long computeUnitsPerSecond) {
        return KEY_PREFIX + keyId + ':' + computeUnitsPerSecond;
    }

    /**
     * {@code rg:q:org:{<organizationId>}:<yyyyMM>}: compute units the organization was admitted in a month (UTC).
     */
    public static String organizationQuota(String organizationId, String month) {
        return ORGANIZATION_QUOTA_PREFIX + tag(organizationId) + ':' + month;
    }

    /**
     * {@code rg:q:key:{<organizationId>}:<keyId>:d:<yyyyMMdd>}: compute units a capped key was admitted in a day
     * (UTC).
     */
    public static String keyDailyQuota(String organizationId, String keyId, String day) {
        return KEY_QUOTA_PREFIX + tag(organizationId) + ':' + keyId + ":d:" + day;
    }

    /**
     * {@code rg:q:key:{<organizationId>}:<keyId>:m:<yyyyMM>}: compute units a capped key was admitted in a month
     * (UTC).
     */
    public static String keyMonthlyQuota(String organizationId, String keyId, String month) {
        return KEY_QUOTA_PREFIX + tag(organizationId) + ':' + keyId + ":m:" + month;
    }

    /** The organization's hash tag: Redis Cluster places a name by what is between its first braces. */
    private static String tag(String organizationId) {
        return '{' + organizationId + '}';
    }
}
