package dev.relaygate.gateway.auth;

import java.time.Clock;

import reactor.core.publisher.Mono;

/**
 * Decides whether a presented API key may be used: well formed, known, active and unexpired, with its plan.
 * Knows nothing about HTTP; {@link ApiKeyFilter} turns its answer into an exchange outcome.
 */
public final class KeyResolver {

    private final SnapshotCache<KeyHash, KeySnapshot> keys;

    private final SnapshotCache<String, PlanSnapshot> plans;

    private final Clock clock;

    public KeyResolver(SnapshotCache<KeyHash, KeySnapshot> keys, SnapshotCache<String, PlanSnapshot> plans,
            Clock clock) {
        this.keys = keys;
        this.plans = plans;
        this.clock = clock;
    }

    /**
     * The usable key and its plan; empty for a malformed, unknown, revoked or expired key (one answer for all,
     * so callers learn nothing about which); an error when it cannot be known now, including when the key's
     * plan cannot be found.
     */
    public Mono<ResolvedKey> resolve(String presented) {
        if (!ApiKeyFormat.isWellFormed(presented)) {
            return Mono.empty();
        }
        KeyHash hash = ApiKeyFormat.hash(presented);
        return keys.find(hash)
            .filter(snapshot -> matches(snapshot, hash))
            .filter(snapshot -> snapshot.usableAt(clock.instant()))
            .flatMap(snapshot -> plans.find(snapshot.planId())
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("no plan " + snapshot.planId())))
                .map(plan -> new ResolvedKey(snapshot, plan)));
    }

    /**
     * The usable key and its plan when both are cached already (the common case), decided without Reactor;
     * {@code null} when that cannot be told at once, and then {@link #resolve} answers (refusals included).
     */
    public ResolvedKey resolveNow(String presented) {
        if (!ApiKeyFormat.isWellFormed(presented)) {
            return null;
        }
        KeyHash hash = ApiKeyFormat.hash(presented);
        KeySnapshot key = keys.cached(hash);
        if (key == null || !matches(key, hash) || !key.usableAt(clock.instant())) {
            return null;
        }
        PlanSnapshot plan = plans.cached(key.planId());
        return plan == null ? null : new ResolvedKey(key, plan);
    }

    private static boolean matches(KeySnapshot snapshot, KeyHash hash) {
        return hash.equals(snapshot.hash());
    }
}
