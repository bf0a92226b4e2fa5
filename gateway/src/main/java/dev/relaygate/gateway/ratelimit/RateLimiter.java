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
     * of its keys. (A bucket per key shaped by the same plan could never refuse what the organization's bucket
     * admits, so there is none; see docs/rate-limiting.md.)
     *
     * @param organizationId the organization of the calling key
     * @param policy         the limits of the organization's plan
     * @param cost           compute units of the request (see {@link MethodWeights}), at least 1
     */
    Mono<RateLimitDecision> consume(String organizationId, RateLimitPolicy policy, long cost);
}
