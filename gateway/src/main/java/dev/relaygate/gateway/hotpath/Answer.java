package dev.relaygate.gateway.hotpath;

import java.util.ArrayList;
import java.util.List;

import dev.relaygate.gateway.jsonrpc.JsonRpcErrorCode;
import dev.relaygate.gateway.jsonrpc.JsonRpcErrors;
import dev.relaygate.gateway.jsonrpc.JsonRpcId;

/**
 * What the hot path answers a request with, before it is written: status, body and the headers of this answer
 * (the ones every answer carries, such as the request id, are added when it is written).
 *
 * @param contentType the Content-Type, or {@code null} for an answer without a body
 * @param headers header names and values, alternating
 */
record Answer(int status, String contentType, byte[] body, List<CharSequence> headers) {

    static final String JSON = "application/json";

    private static final byte[] NO_BODY = new byte[0];

    /** A JSON body with {@code status}. */
    static Answer json(int status, String contentType, byte[] body) {
        return new Answer(status, contentType == null ? JSON : contentType, body, new ArrayList<>(4));
    }

    /** The whole request answered by one gateway error echoing {@code id}. */
    static Answer error(JsonRpcErrorCode code, JsonRpcId id, String detail) {
        return json(code.status(), JSON, JsonRpcErrors.error(code, id, detail));
    }

    /** An answer without a body (CORS preflights). */
    static Answer empty(int status) {
        return new Answer(status, null, NO_BODY, new ArrayList<>(12));
    }

    Answer header(CharSequence name, CharSequence value) {
        headers.add(name);
        headers.add(value);
        return this;
    }

    Answer headers(List<? extends CharSequence> more) {
        headers.addAll(more);
        return this;
    }
}
