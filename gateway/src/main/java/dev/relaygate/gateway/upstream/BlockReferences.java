package dev.relaygate.gateway.upstream;

import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Finds the block numbers EVM calls name explicitly, where the selector needs them: to send state reads for blocks
 * older than a full node's pruning window to archive upstreams, and to recognise a {@code null} block from a node that has
 * not got it yet. Tags ({@code latest}, {@code safe}, {@code finalized}, {@code earliest}...) and block hashes name
 * no number. Parses the body, so the router asks only when the answer matters (a chain that mixes archive and full
 * nodes, or a {@code null} result).
 */
final class BlockReferences {

    /**
     * Methods that read state at a block, and where they take it: the index in {@code params}. Full nodes keep blocks,
     * receipts and logs for ever but state only for the pruning window, so only these need an archive node.
     */
    private static final Map<String, Integer> STATE_READS = Map.ofEntries(
            Map.entry("eth_getBalance", 1), Map.entry("eth_getCode", 1), Map.entry("eth_getTransactionCount", 1),
            Map.entry("eth_call", 1), Map.entry("eth_estimateGas", 1), Map.entry("eth_createAccessList", 1),
            Map.entry("eth_getStorageAt", 2), Map.entry("eth_getProof", 2), Map.entry("debug_traceCall", 1),
            Map.entry("debug_traceBlockByNumber", 0), Map.entry("trace_block", 0),
            Map.entry("trace_replayBlockTransactions", 0));

    /** Methods whose {@code null} result for a block the chain has means the node lacks it. */
    static final Map<String, Integer> BLOCK_READS = Map.of("eth_getBlockByNumber", 0,
            "eth_getBlockReceipts", 0, "eth_getBlockTransactionCountByNumber", 0);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private BlockReferences() {
    }

    /** The lowest block number at which the request's calls read state, or -1 when they name none. */
    static long lowestStateBlock(byte[] body) {
        JsonNode request = read(body);
        if (request == null) {
            return -1;
        }
        if (!request.isArray()) {
            return blockOf(request, STATE_READS);
        }
        long lowest = -1;
        for (JsonNode call : request) {
            long block = blockOf(call, STATE_READS);
            lowest = block >= 0 && (lowest < 0 || block < lowest) ? block : lowest;
        }
        return lowest;
    }

    /**
     * The block a single block read ({@code eth_getBlockByNumber}...) names, or -1: when such a call answers
     * {@code null} for a block at or below the best head, the node, not the chain, lacks it.
     */
    static long blockRead(byte[] body) {
        JsonNode request = read(body);
        return request == null || request.isArray() ? -1 : blockOf(request, BLOCK_READS);
    }

    /** Whether a single answer's result is {@code null}. */
    static boolean nullResult(byte[] answer) {
        JsonNode node = read(answer);
        return node != null && node.isObject() && node.has("result") && node.get("result").isNull();
    }

    private static long blockOf(JsonNode call, Map<String, Integer> positions) {
        String method = call.path("method").asString("");
        JsonNode params = call.path("params");
        Integer index = positions.get(method);
        if (index == null) {
            return -1;
        }
        JsonNode block = params.path(index);
        // EIP-1898: {"blockNumber": "0x..."} or {"blockHash": "0x..."}
        return number(block.isObject() ? block.path("blockNumber") : block);
    }

    private static long number(JsonNode block) {
        if (!block.isString()) {
            return -1;
        }
        String text = block.asString();
        if (!text.startsWith("0x") || text.length() < 3 || text.length() > 18) {
            return -1;
        }
        try {
            return Long.parseLong(text.substring(2), 16);
        }
        catch (NumberFormatException notANumber) {
            return -1;
        }
    }

    private static JsonNode read(byte[] body) {
        try {
            return JSON.readTree(body);
        }
        catch (JacksonException malformed) {
            return null;
        }
    }
}
