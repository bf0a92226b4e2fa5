package dev.relaygate.gateway.jsonrpc;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Success answers the gateway writes itself (a result it had cached, answered with the caller's id byte for byte),
 * and the reading of an upstream's answer into its answer objects, so that a batch whose calls were answered in part
 * from the cache is answered in the order of its calls. Pure: no Spring, no I/O; Jackson's streaming parser, never a
 * tree, and results are never re-encoded (their bytes are copied).
 */
public final class JsonRpcAnswers {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private static final byte[] HEAD = "{\"jsonrpc\":\"2.0\",\"id\":".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] RESULT = ",\"result\":".getBytes(StandardCharsets.US_ASCII);

    private JsonRpcAnswers() {
    }

    /** {@code {"jsonrpc":"2.0","id":<id exactly as the caller sent it>,"result":<result bytes>}}. */
    public static byte[] result(JsonRpcId id, byte[] result) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(HEAD.length + id.json().length + RESULT.length
                + result.length + 1);
        writeResult(out, id, result);
        return out.toByteArray();
    }

    private static void writeResult(ByteArrayOutputStream out, JsonRpcId id, byte[] result) {
        out.writeBytes(HEAD);
        out.writeBytes(id.json());
        out.writeBytes(RESULT);
        out.writeBytes(result);
        out.write('}');
    }

    /**
     * One answer object of an upstream's answer.
     *
     * @param start offset of its first byte
     * @param end offset after its last byte
     * @param idKey its id in a comparable form ({@link #idKey(JsonRpcId)}), or {@code null} when it has none
     * @param resultStart offset of the first byte of its {@code result} value, or -1 when it has none
     * @param resultEnd offset after the last byte of its {@code result} value, or -1
     * @param error it has an {@code error} member that is not {@code null}
     */
    public record Element(int start, int end, String idKey, int resultStart, int resultEnd, boolean error) {

        /** Whether this is a success answer: a result and no error. */
        public boolean succeeded() {
            return resultStart >= 0 && !error;
        }
    }

    /**
     * The answer objects of {@code answer}: one for a single object, one per object of an array; {@code null} when
     * the answer is not a JSON object or array of objects.
     */
    public static List<Element> elements(byte[] answer) {
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), answer)) {
            JsonToken first = parser.nextToken();
            List<Element> elements = new ArrayList<>();
            if (first == JsonToken.START_OBJECT) {
                elements.add(element(parser));
            }
            else if (first == JsonToken.START_ARRAY) {
                JsonToken token;
                while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                    if (token != JsonToken.START_OBJECT) {
                        return null;
                    }
                    elements.add(element(parser));
                }
            }
            else {
                return null;
            }
            return parser.nextToken() == null ? elements : null;
        }
        catch (JacksonException unreadable) {
            return null;
        }
    }

    private static Element element(JsonParser parser) {
        int start = offset(parser);
        String id = null;
        int resultStart = -1;
        int resultEnd = -1;
        boolean error = false;
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (name) {
                case "id" -> id = idKey(parser, value);
                case "error" -> error = value != JsonToken.VALUE_NULL;
                case "result" -> resultStart = offset(parser);
                default -> { }
            }
            parser.skipChildren();
            if ("result".equals(name)) {
                // A string is read lazily: finish it so that the end offset lies after its closing quote.
                parser.finishToken();
                resultEnd = offsetAfter(parser);
            }
        }
        return new Element(start, offsetAfter(parser), id, resultStart, resultEnd, error);
    }

    /** A copy of the {@code result} value of {@code element}, a success answer of {@code answer}. */
    public static byte[] resultOf(byte[] answer, Element element) {
        return java.util.Arrays.copyOfRange(answer, element.resultStart(), element.resultEnd());
    }

    /**
     * The answer to a batch some of whose calls were answered from the cache: for each of {@code calls} in order,
     * its cached result with its own id, or the upstream's answer object with the same id (bytes unchanged); then the
     * upstream's answer objects no call was matched with (an id the node re-wrote, or its error for the whole batch),
     * so that nothing it said is dropped; then the gateway's own errors. Notifications get nothing.
     *
     * @param cached the cached result of each call, {@code null} for the calls that were relayed
     * @param upstream the upstream's answer to the relayed calls, or {@code null} when none was relayed
     * @param errors the gateway's errors for refused calls (a JSON array), or {@code null}
     * @return the answer, or {@code null} when the upstream's answer is not JSON-RPC (it is then relayed as it is)
     */
    public static byte[] batch(List<JsonRpcCall> calls, byte[][] cached, byte[] upstream, byte[] errors) {
        List<Element> elements = upstream == null || upstream.length == 0 ? List.of() : elements(upstream);
        if (elements == null) {
            return null;
        }
        boolean[] used = new boolean[elements.size()];
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + (upstream == null ? 0 : upstream.length));
        out.write('[');
        boolean first = true;
        for (int i = 0; i < calls.size(); i++) {
            JsonRpcCall call = calls.get(i);
            if (cached[i] != null) {
                first = comma(out, first);
                writeResult(out, call.id(), cached[i]);
                continue;
            }
            if (call.notification()) {
                continue;
            }
            String key = idKey(call.id());
            for (int j = 0; j < elements.size(); j++) {
                Element element = elements.get(j);
                if (!used[j] && key.equals(element.idKey())) {
                    used[j] = true;
                    first = comma(out, first);
                    out.write(upstream, element.start(), element.end() - element.start());
                    break;
                }
            }
        }
        for (int j = 0; j < elements.size(); j++) {
            if (!used[j]) {
                Element element = elements.get(j);
                first = comma(out, first);
                out.write(upstream, element.start(), element.end() - element.start());
            }
        }
        if (errors != null && errors.length > 2) {
            comma(out, first);
            out.write(errors, 1, errors.length - 2);
        }
        out.write(']');
        return out.toByteArray();
    }

    private static boolean comma(ByteArrayOutputStream out, boolean first) {
        if (!first) {
            out.write(',');
        }
        return false;
    }

    /** A comparable form of a request's id: the same for {@code "a"} and {@code "\u0061"}. */
    public static String idKey(JsonRpcId id) {
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), id.json())) {
            return idKey(parser, parser.nextToken());
        }
        catch (JacksonException unreadable) {
            return "?";
        }
    }

    private static String idKey(JsonParser parser, JsonToken token) {
        if (token == null) {
            return "?";
        }
        return switch (token) {
            case VALUE_STRING -> "s" + parser.getString();
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "n" + parser.getString();
            case VALUE_NULL -> "null";
            default -> "?";
        };
    }

    private static int offset(JsonParser parser) {
        return (int) parser.currentTokenLocation().getByteOffset();
    }

    private static int offsetAfter(JsonParser parser) {
        return (int) parser.currentLocation().getByteOffset();
    }
}
