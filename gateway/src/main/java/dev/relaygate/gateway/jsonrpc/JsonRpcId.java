package dev.relaygate.gateway.jsonrpc;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A request id as JSON text (a string with its quotes, a number, or {@code null}), kept exactly so that an
 * error answer echoes it as the caller sent it.
 */
public final class JsonRpcId {

    /** The id of an answer that cannot be correlated with a request (parse errors, batches rejected whole). */
    public static final JsonRpcId NULL = new JsonRpcId("null".getBytes(StandardCharsets.US_ASCII));

    private final byte[] json;

    private JsonRpcId(byte[] json) {
        this.json = json;
    }

    static JsonRpcId ofJson(byte[] json) {
        return new JsonRpcId(json);
    }

    /** The id as JSON bytes, ready to write. */
    byte[] json() {
        return json;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof JsonRpcId id && Arrays.equals(json, id.json);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(json);
    }

    @Override
    public String toString() {
        return new String(json, StandardCharsets.UTF_8);
    }
}
