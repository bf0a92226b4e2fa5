package dev.relaygate.gateway.usage;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One metered request, as the hot path hands it over: who called (organization, key, plan), on which chain, the
 * calls that were relayed (or would have been, when the limiter refused them), and how it went. Calls the gateway
 * answered itself (invalid, refused by policy) are not in it: they are not usage.
 *
 * @param at when the gateway started relaying (or refused)
 * @param requestId the request's id ({@code X-Request-Id})
 * @param organizationId the key's organization
 * @param keyId the key's id (never the secret)
 * @param planId the key's plan
 * @param chainId the chain's canonical id (not the alias the caller used)
 * @param calls the relayed calls, in order
 * @param rateLimited the gateway's limiter refused the request: nothing was relayed
 * @param status the upstream's HTTP status, or 0 when there was no answer (failure, or the caller went away)
 * @param answer the upstream's answer bytes, or {@code null} when there was none
 * @param latency from the start of the relay to the end of the answer
 */
public record UsageRecord(
        Instant at,
        String requestId,
        String organizationId,
        String keyId,
        String planId,
        String chainId,
        List<UsageCall> calls,
        boolean rateLimited,
        int status,
        byte[] answer,
        Duration latency) {

    public UsageRecord {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(organizationId, "organizationId");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(chainId, "chainId");
        Objects.requireNonNull(latency, "latency");
        calls = List.copyOf(calls);
    }

    /** A request the gateway relayed; {@code answer} is {@code null} when no answer came. */
    public static UsageRecord relayed(Instant at, String requestId, String organizationId, String keyId,
            String planId, String chainId, List<UsageCall> calls, int status, byte[] answer, Duration latency) {
        return new UsageRecord(at, requestId, organizationId, keyId, planId, chainId, calls, false, status, answer,
                latency);
    }

    /** A request the gateway's rate limiter refused. */
    public static UsageRecord rateLimited(Instant at, String requestId, String organizationId, String keyId,
            String planId, String chainId, List<UsageCall> calls) {
        return new UsageRecord(at, requestId, organizationId, keyId, planId, chainId, calls, true, 0, null,
                Duration.ZERO);
    }
}
