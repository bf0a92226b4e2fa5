package dev.relaygate.gateway.jsonrpc;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a batch whose calls the gateway answers in part (invalid or refused calls) into the calls to relay
 * and the errors to answer itself, and splices the two answers into one array. Clients match answers to calls
 * by id; JSON-RPC 2.0 lets a batch answer come in any order.
 */
public final class JsonRpcBatches {

    private JsonRpcBatches() {
    }

    /** The refusals of a batch's invalid calls. */
    public static List<JsonRpcRefusal> invalid(JsonRpcEnvelope envelope) {
        List<JsonRpcRefusal> refusals = new ArrayList<>();
        for (JsonRpcCall call : envelope.calls()) {
            if (!call.valid()) {
                refusals.add(JsonRpcRefusal.invalid(call));
            }
        }
        return refusals;
    }

    /** The calls of {@code envelope} to relay: those not refused, in order. */
    public static List<JsonRpcCall> relayed(JsonRpcEnvelope envelope, List<JsonRpcRefusal> refusals) {
        List<JsonRpcCall> relayed = new ArrayList<>(envelope.calls().size());
        for (JsonRpcCall call : envelope.calls()) {
            if (refusals.stream().noneMatch(refusal -> refusal.call() == call)) {
                relayed.add(call);
            }
        }
        return relayed;
    }

    /** A batch body made of the original bytes of {@code calls}. */
    public static byte[] body(byte[] original, List<JsonRpcCall> calls) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(original.length);
        out.write('[');
        for (int i = 0; i < calls.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            JsonRpcCall call = calls.get(i);
            out.write(original, call.start(), call.end() - call.start());
        }
        out.write(']');
        return out.toByteArray();
    }

    /**
     * One batch answer: the elements of {@code upstreamArray} (a JSON array, or empty when every relayed call
     * was a notification) followed by the elements of {@code errorsArray}. An upstream that answers the relayed
     * part with a single object (its own error for the batch as a whole) has that object put first in the array,
     * so the gateway's errors are never dropped. Returns {@code null} when the upstream answer is neither an
     * array nor an object, which the caller relays as it is.
     */
    public static byte[] splice(byte[] upstreamArray, byte[] errorsArray) {
        int first = skipSpace(upstreamArray, 0);
        if (first == upstreamArray.length) {
            return errorsArray;
        }
        int last = upstreamArray.length - 1;
        while (last > first && isSpace(upstreamArray[last])) {
            last--;
        }
        boolean errorsEmpty = errorsArray.length <= 2;
        ByteArrayOutputStream out = new ByteArrayOutputStream(upstreamArray.length + errorsArray.length + 2);
        if (upstreamArray[first] == '{' && upstreamArray[last] == '}') {
            if (errorsEmpty) {
                return upstreamArray;
            }
            out.write('[');
            out.write(upstreamArray, first, last - first + 1);
            out.write(',');
            out.write(errorsArray, 1, errorsArray.length - 1);
            return out.toByteArray();
        }
        if (upstreamArray[first] != '[' || upstreamArray[last] != ']') {
            return null;
        }
        boolean upstreamEmpty = skipSpace(upstreamArray, first + 1) == last;
        out.write(upstreamArray, first, last - first);
        if (!upstreamEmpty && !errorsEmpty) {
            out.write(',');
        }
        out.write(errorsArray, 1, errorsArray.length - 1);
        return out.toByteArray();
    }

    private static int skipSpace(byte[] bytes, int from) {
        int i = from;
        while (i < bytes.length && isSpace(bytes[i])) {
            i++;
        }
        return i;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }
}
