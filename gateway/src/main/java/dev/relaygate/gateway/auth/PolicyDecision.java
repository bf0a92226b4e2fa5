package dev.relaygate.gateway.auth;

import java.util.List;

import dev.relaygate.gateway.jsonrpc.JsonRpcErrorCode;
import dev.relaygate.gateway.jsonrpc.JsonRpcRefusal;

/** What a key's policy and its plan say about one request. */
public sealed interface PolicyDecision {

    /** Whether the answer may carry CORS headers for the caller's origin. */
    boolean originAllowed();

    /**
     * The whole request is refused with {@code code}; {@code detail} is the error's data, or {@code null}.
     * {@code originAllowed}: the caller's origin passed the key's allowlist before the refusal, so a browser dApp
     * may read the error (CORS headers).
     */
    record Refused(JsonRpcErrorCode code, String detail, boolean originAllowed) implements PolicyDecision {
    }

    /**
     * The request may go on; {@code refusedCalls} are the calls of a batch whose methods the key may not call
     * (answered in the batch while the rest is relayed). {@code originAllowed}: the caller's origin passed and the
     * answer may carry CORS headers for it.
     */
    record Allowed(List<JsonRpcRefusal> refusedCalls, boolean originAllowed) implements PolicyDecision {

        public Allowed {
            refusedCalls = List.copyOf(refusedCalls);
        }
    }
}
