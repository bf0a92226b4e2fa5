package dev.relaygate.gateway.jsonrpc;

/**
 * One call of a request as the gateway needs it: the method, the id (absent for a notification), where its
 * bytes lie in the body, and why it is invalid if it is.
 *
 * @param method the method name, or {@code null} when the element has none readable
 * @param id the id to echo; {@link JsonRpcId#NULL} when invalid or missing
 * @param notification the element has no {@code id} member, so it gets no answer
 * @param start offset of the element's first byte in the body
 * @param end offset after the element's last byte
 * @param invalid why the element is not a valid request, or {@code null} when it is
 * @param paramsStart offset of the first byte of the {@code params} value in the body, or -1 when there is none
 * @param paramsEnd offset after the last byte of the {@code params} value, or -1 when there is none
 */
public record JsonRpcCall(String method, JsonRpcId id, boolean notification, int start, int end, String invalid,
        int paramsStart, int paramsEnd) {

    /** A call without {@code params} (or whose params do not matter to the caller of this constructor). */
    public JsonRpcCall(String method, JsonRpcId id, boolean notification, int start, int end, String invalid) {
        this(method, id, notification, start, end, invalid, -1, -1);
    }

    public boolean valid() {
        return invalid == null;
    }
}
