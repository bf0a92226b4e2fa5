package dev.relaygate.gateway.usage;

/**
 * One metered call, ready to be counted: the unit the aggregator sums.
 *
 * @param minute the start of the call's minute, epoch milliseconds (UTC)
 * @param organizationId the key's organization
 * @param keyId the key
 * @param chain the chain's canonical id
 * @param method the call's method
 * @param outcome how the call ended
 * @param computeUnits what the call is charged (0 unless the outcome is charged)
 * @param upstreamLatencyMillis the upstream latency of the request that carried the call
 */
record UsageFact(long minute, String organizationId, String keyId, String chain, String method,
        UsageOutcome outcome, long computeUnits, long upstreamLatencyMillis) {
}
