package dev.relaygate.gateway.routing;

/**
 * Which upstreams of a chain serve first: calls go to the primary tier while one of its upstreams is usable, and
 * to the fallback tier (a second provider, a public node) only when none is.
 */
public enum UpstreamTier {
    PRIMARY, FALLBACK
}
