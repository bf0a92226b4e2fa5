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
     * Takes {@code cost} compute units from the key's bucket and from its organization's bucket, both shaped by
     * {@code policy}, or from neither if either is short.
     *
     * @param keyId          stable id of the API key (never the secret)
     * @param organizationId the key's organization
     * @param policy         the limits of the organization's plan
     * @param cost           compute units of the request (see {@link MethodWeights}), at least 1
     */
    Mono<RateLimitDecision> consume(String keyId, String organizationId, RateLimitPolicy policy, long cost);
}
