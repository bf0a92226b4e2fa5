package dev.relaygate.gateway.jsonrpc;

/**
 * A call of a batch the gateway answers itself instead of relaying it.
 *
 * @param call the refused call
 * @param code why
 * @param detail a short human-readable detail for the error's {@code data}, or {@code null}
 */
public record JsonRpcRefusal(JsonRpcCall call, JsonRpcErrorCode code, String detail) {

    /** An invalid call, refused with {@code -32600} and the reason it is invalid. */
    public static JsonRpcRefusal invalid(JsonRpcCall call) {
        return new JsonRpcRefusal(call, JsonRpcErrorCode.INVALID_REQUEST, call.invalid());
    }
}
