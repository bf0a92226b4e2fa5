package dev.relaygate.gateway.routing;

/** The JSON-RPC dialect a chain speaks; method weights and method classes are defined per family. */
public enum ChainFamily {
    EVM, SOLANA, GENERIC
}
