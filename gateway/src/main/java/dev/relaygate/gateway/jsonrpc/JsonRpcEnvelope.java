package dev.relaygate.gateway.jsonrpc;

import java.util.List;

/**
 * What a request body asks for: one call, or a batch of calls, in the order sent.
 *
 * @param batch the body is a JSON array
 * @param calls the calls; exactly one when not a batch
 */
public record JsonRpcEnvelope(boolean batch, List<JsonRpcCall> calls) {

    public JsonRpcEnvelope {
        calls = List.copyOf(calls);
    }

    /** The id an error answering the whole request carries: the single call's id, or null for a batch. */
    public JsonRpcId wholeRequestId() {
        return batch ? JsonRpcId.NULL : calls.get(0).id();
    }
}
