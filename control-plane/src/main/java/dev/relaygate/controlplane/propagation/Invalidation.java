package dev.relaygate.controlplane.propagation;

/** The message announced on {@code rg:invalidations} (contracts/invalidation-key.json, invalidation-plan.json). */
public record Invalidation(int schema, String kind, String id, long version, String at) {
}
