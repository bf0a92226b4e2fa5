package dev.relaygate.gateway.routing;

import java.util.Locale;

/** The JSON-RPC dialect a chain speaks; method weights and method classes are defined per family. */
public enum ChainFamily {
    EVM, SOLANA, GENERIC;

    private final String tableName = name().toLowerCase(Locale.ROOT);

    /** The name the weight and class tables know the family by ({@code evm}): built once, not per request. */
    public String tableName() {
        return tableName;
    }
}
