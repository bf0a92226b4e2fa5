package dev.relaygate.gateway.ratelimit;

import reactor.core.publisher.Mono;

/**
 * Decides whether a request may spend its compute units. Knows nothing about HTTP: the gateway filter turns
 * the {@link RateLimitDecision} into headers or a 429 with a JSON-RPC error.
 *
 * <p>Implementations never signal an error: when their shared store is slow or gone they decide locally.
 */
public interface RateLimiter {

    /**
     * Takes {@code cost} compute units from the organization's bucket, shaped by {@code policy} and shared by all
     * of its keys, with no quota. (A bucket per key shaped by the same plan could never refuse what the
     * organization's bucket admits, so a key has a bucket only when it carries a rate of its own; see
     * docs/rate-limiting.md.)
     *
     * @param organizationId the organization of the calling key
     * @param policy         the limits of the organization's plan
     * @param cost           compute units of the request (see {@link MethodWeights}), at least 1
     */
    default Mono<RateLimitDecision> consume(String organizationId, RateLimitPolicy policy, long cost) {
        return consume(organizationId, policy, 0, KeyCaps.NONE, cost);
    }

    /**
     * Takes {@code cost} compute units from the key's bucket (only if it carries a rate of its own) and the
     * organization's bucket, unless the organization's monthly quota or one of the key's daily and monthly caps
     * has no room for them; counts them against those quotas. A refusal names the limit that refused
     * ({@link RateLimitDecision#refusedBy()}).
     *
     * @param monthlyComputeUnits the plan's monthly quota of the organization; 0 for none
     * @param keyCaps             the calling key's own limits, or {@link KeyCaps#NONE}
     */
    Mono<RateLimitDecision> consume(String organizationId, RateLimitPolicy policy, long monthlyComputeUnits,
                                    KeyCaps keyCaps, long cost);
}
