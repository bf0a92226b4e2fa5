package dev.relaygate.gateway.auth;

/** A usable key with the plan it is on. */
public record ResolvedKey(KeySnapshot key, PlanSnapshot plan) {
}
