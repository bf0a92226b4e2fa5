package dev.relaygate.gateway.upstream;

import java.util.List;
import java.util.Set;

/**
 * The methods that only read chain state, and may therefore be sent to a second upstream after the first one
 * failed in any way, or hedged. Every other method is a write for the relay: {@code eth_sendRawTransaction},
 * {@code eth_sendTransaction}, filter installs (their id lives on one node), subscriptions, and any method this
 * list does not know. A write is re-sent only when its connection failed before a byte was written (issue #17).
 * The one place this fact is defined.
 */
public final class ReadMethods {

    /** Exact names of read methods, EVM and Solana. */
    static final Set<String> NAMES = Set.of(
            // EVM
            "eth_blockNumber", "eth_chainId", "net_version", "net_listening", "net_peerCount", "web3_clientVersion",
            "web3_sha3", "eth_syncing", "eth_gasPrice", "eth_maxPriorityFeePerGas", "eth_feeHistory", "eth_blobBaseFee",
            "eth_call", "eth_estimateGas", "eth_createAccessList", "eth_simulateV1", "eth_protocolVersion",
            "eth_getBalance", "eth_getCode", "eth_getStorageAt", "eth_getTransactionCount", "eth_getProof",
            "eth_getLogs", "eth_getBlockByHash", "eth_getBlockByNumber", "eth_getBlockReceipts",
            "eth_getBlockTransactionCountByHash", "eth_getBlockTransactionCountByNumber",
            "eth_getTransactionByHash", "eth_getTransactionByBlockHashAndIndex",
            "eth_getTransactionByBlockNumberAndIndex", "eth_getTransactionReceipt", "eth_getUncleByBlockHashAndIndex",
            "eth_getUncleByBlockNumberAndIndex", "eth_getUncleCountByBlockHash", "eth_getUncleCountByBlockNumber",
            "debug_traceTransaction", "debug_traceCall", "debug_traceBlockByNumber", "debug_traceBlockByHash",
            "trace_block", "trace_transaction", "trace_call", "trace_filter", "trace_replayTransaction",
            "trace_replayBlockTransactions",
            // Solana
            "getAccountInfo", "getBalance", "getBlock", "getBlockHeight", "getBlockTime", "getBlocks", "getEpochInfo",
            "getHealth", "getLatestBlockhash", "getMultipleAccounts", "getProgramAccounts", "getSignatureStatuses",
            "getSignaturesForAddress", "getSlot", "getTokenAccountBalance", "getTokenAccountsByOwner",
            "getTransaction", "getVersion", "isBlockhashValid", "getFeeForMessage", "getMinimumBalanceForRentExemption");

    private ReadMethods() {
    }

    /** Whether {@code method} only reads. */
    public static boolean isRead(String method) {
        return method != null && NAMES.contains(method);
    }

    /** Whether every one of {@code methods} only reads: only then may a request be retried after it was sent. */
    public static boolean allReads(List<String> methods) {
        for (String method : methods) {
            if (!isRead(method)) {
                return false;
            }
        }
        return !methods.isEmpty();
    }
}
