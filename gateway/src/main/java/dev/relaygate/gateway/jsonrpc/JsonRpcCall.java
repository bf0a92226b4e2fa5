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
 */
public record JsonRpcCall(String method, JsonRpcId id, boolean notification, int start, int end, String invalid) {

    public boolean valid() {
        return invalid == null;
    }
}
