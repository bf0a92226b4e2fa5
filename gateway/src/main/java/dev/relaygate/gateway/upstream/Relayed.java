package dev.relaygate.gateway.upstream;

/**
 * What the router got for a request: the answer to give the caller, or none when no upstream gave a usable one,
 * and how many upstreams the request was sent to (retries and hedges included; 0 when none had budget).
 *
 * @param response the answer to relay, or {@code null}
 * @param attempts sends made, for the {@code X-Relaygate-Upstream-Attempts} header
 */
public record Relayed(UpstreamResponse response, int attempts) {

    public boolean answered() {
        return response != null;
    }
}
