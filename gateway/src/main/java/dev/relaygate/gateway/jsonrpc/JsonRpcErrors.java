package dev.relaygate.gateway.jsonrpc;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import tools.jackson.core.io.JsonStringEncoder;

/**
 * Builds the JSON-RPC error objects the gateway answers with. The only place such bytes are written, so
 * every error has the same shape: {@code {"jsonrpc":"2.0","id":…,"error":{"code":…,"message":…,"data":…}}}.
 */
public final class JsonRpcErrors {

    private JsonRpcErrors() {
    }

    /** One error object, echoing {@code id}; {@code data} is a short human-readable detail or {@code null}. */
    public static byte[] error(JsonRpcErrorCode code, JsonRpcId id, String data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        write(out, code, id, data == null ? null : quote(data));
        return out.toByteArray();
    }

    /** One error object whose {@code data} is already JSON (an object such as {@code {"retryAfterSeconds":3}}). */
    public static byte[] errorWithJsonData(JsonRpcErrorCode code, JsonRpcId id, String jsonData) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        write(out, code, id, jsonData.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** An array of error objects, one per refused call of a batch in order; notifications get none. */
    public static byte[] errors(List<JsonRpcRefusal> refusals) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + refusals.size() * 96);
        out.write('[');
        boolean first = true;
        for (JsonRpcRefusal refusal : refusals) {
            if (refusal.call().notification()) {
                continue;
            }
            if (!first) {
                out.write(',');
            }
            first = false;
            write(out, refusal.code(), refusal.call().id(), refusal.detail() == null ? null : quote(refusal.detail()));
        }
        out.write(']');
        return out.toByteArray();
    }

    /** An error object made elsewhere (an upstream's, as JSON) answering the call {@code id}. */
    public static byte[] withError(JsonRpcId id, byte[] errorObject) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(errorObject.length + 48);
        out.writeBytes("{\"jsonrpc\":\"2.0\",\"id\":".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(id.json());
        out.writeBytes(",\"error\":".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(errorObject);
        out.write('}');
        return out.toByteArray();
    }

    /**
     * An array of errors {@code code} with JSON {@code data}, one per call of {@code calls} with its id (notifications
     * get none), followed by the elements of {@code more} (an array of errors, or {@code null}).
     */
    public static byte[] errorsWithJsonData(JsonRpcErrorCode code, List<JsonRpcCall> calls, String jsonData,
            byte[] more) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + calls.size() * 128);
        byte[] data = jsonData.getBytes(StandardCharsets.UTF_8);
        out.write('[');
        boolean first = true;
        for (JsonRpcCall call : calls) {
            if (call.notification()) {
                continue;
            }
            if (!first) {
                out.write(',');
            }
            first = false;
            write(out, code, call.id(), data);
        }
        if (more != null && more.length > 2) {
            if (!first) {
                out.write(',');
            }
            out.write(more, 1, more.length - 2);
        }
        out.write(']');
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, JsonRpcErrorCode code, JsonRpcId id, byte[] data) {
        out.writeBytes("{\"jsonrpc\":\"2.0\",\"id\":".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(id.json());
        out.writeBytes(("," + "\"error\":{\"code\":" + code.code() + ",\"message\":").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(quote(code.message()));
        if (data != null) {
            out.writeBytes(",\"data\":".getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(data);
        }
        out.write('}');
        out.write('}');
    }

    /**
     * {@code text} as a JSON string literal, UTF-8. A detail may quote the caller (a method name), and Java strings
     * from JSON may hold a lone surrogate ({@code "\\ud800"} is legal JSON) that UTF-8 cannot encode and the
     * encoder refuses with an exception; such a surrogate is written as U+FFFD instead.
     */
    static byte[] quote(String text) {
        byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(withoutLoneSurrogates(text));
        byte[] quoted = new byte[escaped.length + 2];
        quoted[0] = '"';
        System.arraycopy(escaped, 0, quoted, 1, escaped.length);
        quoted[quoted.length - 1] = '"';
        return quoted;
    }

    private static String withoutLoneSurrogates(String text) {
        StringBuilder clean = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            if (paired) {
                if (clean != null) {
                    clean.append(c).append(text.charAt(i + 1));
                }
                i++;
            }
            else if (Character.isSurrogate(c)) {
                if (clean == null) {
                    clean = new StringBuilder(text.length()).append(text, 0, i);
                }
                clean.append('\uFFFD');
            }
            else if (clean != null) {
                clean.append(c);
            }
        }
        return clean == null ? text : clean.toString();
    }
}
