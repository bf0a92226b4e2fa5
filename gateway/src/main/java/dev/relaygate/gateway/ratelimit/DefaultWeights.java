package dev.relaygate.gateway.ratelimit;

import java.util.Map;

/**
 * The built-in compute-unit table, modelled on public providers' published tables (Alchemy-style compute
 * units for EVM, credit tables for Solana). Kept in one place; {@code docs/rate-limiting.md} lists it.
 */
final class DefaultWeights {

    static final Map<String, Map<String, Long>> TABLES = Map.of(
        MethodWeights.EVM, Map.ofEntries(
            Map.entry("web3_clientVersion", 1L),
            Map.entry("net_version", 1L),
            Map.entry("net_listening", 1L),
            Map.entry("eth_chainId", 1L),
            Map.entry("eth_syncing", 1L),
            Map.entry("eth_blockNumber", 10L),
            Map.entry("eth_feeHistory", 10L),
            Map.entry("eth_maxPriorityFeePerGas", 10L),
            Map.entry("eth_gasPrice", 20L),
            Map.entry("eth_getBlockByNumber", 16L),
            Map.entry("eth_getBlockByHash", 16L),
            Map.entry("eth_getBlockTransactionCountByNumber", 20L),
            Map.entry("eth_getTransactionByHash", 17L),
            Map.entry("eth_getTransactionReceipt", 15L),
            Map.entry("eth_getBalance", 19L),
            Map.entry("eth_getCode", 19L),
            Map.entry("eth_getStorageAt", 17L),
            Map.entry("eth_getTransactionCount", 26L),
            Map.entry("eth_call", 26L),
            Map.entry("eth_estimateGas", 87L),
            Map.entry("eth_getLogs", 75L),
            Map.entry("eth_newFilter", 20L),
            Map.entry("eth_getFilterChanges", 20L),
            Map.entry("eth_getBlockReceipts", 500L),
            Map.entry("eth_sendRawTransaction", 250L),
            Map.entry("debug_*", 170L),
            Map.entry("debug_traceTransaction", 309L),
            Map.entry("debug_traceCall", 309L),
            Map.entry("debug_traceBlockByNumber", 500L),
            Map.entry("trace_*", 170L),
            Map.entry("trace_block", 500L),
            Map.entry("trace_replayBlockTransactions", 2983L)),
        MethodWeights.SOLANA, Map.ofEntries(
            Map.entry("getHealth", 1L),
            Map.entry("getVersion", 1L),
            Map.entry("getSlot", 10L),
            Map.entry("getBlockHeight", 10L),
            Map.entry("getLatestBlockhash", 10L),
            Map.entry("getBalance", 10L),
            Map.entry("getAccountInfo", 10L),
            Map.entry("getMultipleAccounts", 20L),
            Map.entry("getTransaction", 30L),
            Map.entry("getSignatureStatuses", 20L),
            Map.entry("getSignaturesForAddress", 40L),
            Map.entry("getTokenAccountsByOwner", 40L),
            Map.entry("getBlock", 100L),
            Map.entry("getProgramAccounts", 100L),
            Map.entry("simulateTransaction", 100L),
            Map.entry("sendTransaction", 250L)),
        MethodWeights.GENERIC, Map.of());

    /** Cost of a method absent from the table, per family. */
    static final Map<String, Long> UNKNOWN = Map.of(
        MethodWeights.EVM, 50L,
        MethodWeights.SOLANA, 30L,
        MethodWeights.GENERIC, 20L);

    private DefaultWeights() {
    }
}
