package dev.relaygate.gateway.usage;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One relayed request, as metering needs it: who called (organization, key, plan), what (chain and the methods
 * actually relayed, in order; calls the gateway answered itself are not in it), and how it went.
 *
 * @param at when the gateway started relaying
 * @param requestId the request's id ({@code X-Request-Id})
 * @param organizationId the key's organization
 * @param keyId the key's id (never the secret)
 * @param planId the key's plan
 * @param chainId the chain's canonical id (not the alias the caller used)
 * @param methods the relayed calls' methods; a batch has several, a single call one
 * @param status the HTTP status of the answer, or 0 when the caller went away before it
 * @param latency from the start of the relay to the end of the answer
 */
public record UsageRecord(
        Instant at,
        String requestId,
        String organizationId,
        String keyId,
        String planId,
        String chainId,
        List<String> methods,
        int status,
        Duration latency) {

    public UsageRecord {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(latency, "latency");
        methods = List.copyOf(methods);
    }
}
