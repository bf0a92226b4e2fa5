package dev.relaygate.controlplane.propagation;

/**
 * A snapshot to write to Redis and announce: what the outbox holds between the commit of a change and the
 * moment Redis has it.
 *
 * @param redisKey where the snapshot lives ({@code rg:key:{sha256}} or {@code rg:plan:{id}})
 * @param kind     {@code key} or {@code plan}, as in the invalidation message
 * @param ref      the id announced: the key's SHA-256 or the plan id
 * @param version  the snapshot's version
 * @param payload  the snapshot JSON
 */
public record PendingSnapshot(String redisKey, String kind, String ref, long version, String payload) {

    public static final String KEY = "key";

    public static final String PLAN = "plan";
}
