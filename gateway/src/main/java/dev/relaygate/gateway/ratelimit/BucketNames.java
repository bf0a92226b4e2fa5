package dev.relaygate.gateway.ratelimit;

import io.netty.util.concurrent.FastThreadLocal;

/**
 * The organization bucket's name ({@link RateLimitKeys#organization}) for a request, built once per organization
 * and bucket shape rather than for every request: each thread keeps the names it built last in a small table, one
 * slot per organization hash. Building the name cost a string of ~70 characters per request, hashed again by each
 * cache it was looked up in; a name taken from the table has its hash already. A slot whose organization or shape
 * differs is simply rebuilt, so a plan change reaches the name at once.
 */
final class BucketNames {

    /** Slots per thread: a power of two. ~100 KB per thread when all are filled. */
    private static final int SLOTS = 512;

    /** A Netty {@code FastThreadLocal}: an array index on the event loops (see {@code ApiKeyFormat}'s digest). */
    private final FastThreadLocal<Slot[]> tables = new FastThreadLocal<>() {
        @Override
        protected Slot[] initialValue() {
            return new Slot[SLOTS];
        }
    };

    String organization(String organizationId, RateLimitPolicy policy) {
        Slot[] table = tables.get();
        int index = organizationId.hashCode() & (SLOTS - 1);
        Slot slot = table[index];
        if (slot != null && slot.organizationId.equals(organizationId) && slot.policy.equals(policy)) {
            return slot.name;
        }
        String name = RateLimitKeys.organization(organizationId, policy);
        table[index] = new Slot(organizationId, policy, name);
        return name;
    }

    private record Slot(String organizationId, RateLimitPolicy policy, String name) {
    }
}
