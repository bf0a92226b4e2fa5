package dev.relaygate.gateway.jsonrpc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;

/**
 * Reads a JSON-RPC 2.0 request body with Jackson's streaming parser, only as far as the gateway needs:
 * the shape (single or batch), each call's method and id, and where each call's bytes lie. Parameters are
 * skipped, not materialised; the body itself is forwarded as received. Pure: no Spring, no I/O.
 */
public final class JsonRpcReader {

    /**
     * Longest id echoed, in bytes as sent (a string's quotes and escapes included): a longer one makes its call
     * invalid rather than an amplification vector.
     */
    static final int MAX_ID_LENGTH = 256;

    /** Longest method name accepted. */
    static final int MAX_METHOD_LENGTH = 256;

    /** The outcome of reading a body: an envelope, or a rejection of the whole request. */
    public sealed interface Result permits Read, Rejected {
    }

    /** The body is a request (its calls may still be individually invalid). */
    public record Read(JsonRpcEnvelope envelope) implements Result {
    }

    /** The body cannot be answered call by call: one error answers it. */
    public record Rejected(JsonRpcErrorCode code, String detail) implements Result {
    }

    /** For {@link #paramsOf}: the body was read (and bounded) by {@link #read} already. */
    private static final JsonFactory PARAMS = JsonFactory.builder().build();

    private final JsonFactory json;

    private final int maxBatchSize;

    /**
     * @param maxDepth deepest nesting of arrays and objects accepted anywhere in the body
     * @param maxBatchSize most calls in one batch
     */
    public JsonRpcReader(int maxDepth, int maxBatchSize) {
        this.json = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxDepth).build())
            .build();
        this.maxBatchSize = maxBatchSize;
    }

    public Result read(byte[] body) {
        return read(body, maxBatchSize);
    }

    /** Reads {@code body}, with a batch limit that may be lower than the gateway's (a plan's). */
    public Result read(byte[] body, int batchLimit) {
        String encodingProblem = JsonRpcEncoding.problem(body);
        if (encodingProblem != null) {
            return new Rejected(JsonRpcErrorCode.PARSE_ERROR, encodingProblem);
        }
        try (JsonParser parser = json.createParser(ObjectReadContext.empty(), body)) {
            JsonToken first = parser.nextToken();
            Result result;
            if (first == JsonToken.START_OBJECT) {
                result = new Read(new JsonRpcEnvelope(false, List.of(readCall(parser, body))));
            }
            else if (first == JsonToken.START_ARRAY) {
                result = readBatch(parser, body, Math.min(batchLimit, maxBatchSize));
            }
            else if (first == null) {
                return new Rejected(JsonRpcErrorCode.PARSE_ERROR, "empty body");
            }
            else {
                parser.skipChildren();
                result = new Rejected(JsonRpcErrorCode.INVALID_REQUEST, "a request is a JSON object or array");
            }
            if (parser.nextToken() != null) {
                return new Rejected(JsonRpcErrorCode.PARSE_ERROR, "content after the JSON value");
            }
            return result;
        }
        catch (StreamConstraintsException e) {
            return new Rejected(JsonRpcErrorCode.LIMIT_EXCEEDED, "JSON nested too deeply or too large");
        }
        catch (JacksonException e) {
            return new Rejected(JsonRpcErrorCode.PARSE_ERROR, "invalid JSON");
        }
    }

    private Result readBatch(JsonParser parser, byte[] body, int batchLimit) {
        List<JsonRpcCall> calls = new ArrayList<>();
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (calls.size() == batchLimit) {
                skipRest(parser);
                return new Rejected(JsonRpcErrorCode.LIMIT_EXCEEDED, "batch larger than " + batchLimit + " calls");
            }
            if (token == JsonToken.START_OBJECT) {
                calls.add(readCall(parser, body));
            }
            else {
                int start = offset(parser);
                parser.skipChildren();
                // A string is read lazily: finish it so that the end offset lies after its closing quote.
                parser.finishToken();
                calls.add(new JsonRpcCall(null, JsonRpcId.NULL, false, start, offsetAfter(parser),
                        "a call is a JSON object"));
            }
        }
        if (calls.isEmpty()) {
            return new Rejected(JsonRpcErrorCode.INVALID_REQUEST, "empty batch");
        }
        return new Read(new JsonRpcEnvelope(true, calls));
    }

    private static void skipRest(JsonParser parser) {
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                parser.skipChildren();
            }
        }
    }

    /** Reads one call object; the parser stands on its START_OBJECT and is left on its END_OBJECT. */
    private static JsonRpcCall readCall(JsonParser parser, byte[] body) {
        int start = offset(parser);
        String method = null;
        JsonRpcId id = null;
        String invalid = null;
        boolean versionSeen = false;
        boolean paramsSeen = false;
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (name) {
                case "jsonrpc" -> {
                    if (versionSeen) {
                        invalid = firstOf(invalid, "duplicate member jsonrpc");
                    }
                    versionSeen = true;
                    if (value != JsonToken.VALUE_STRING) {
                        parser.skipChildren();
                        invalid = firstOf(invalid, "jsonrpc must be \"2.0\"");
                    }
                    else if (!"2.0".equals(parser.getString())) {
                        invalid = firstOf(invalid, "jsonrpc must be \"2.0\"");
                    }
                }
                case "method" -> {
                    if (method != null) {
                        invalid = firstOf(invalid, "duplicate member method");
                    }
                    if (value == JsonToken.VALUE_STRING) {
                        String text = parser.getString();
                        if (text.isEmpty() || text.length() > MAX_METHOD_LENGTH) {
                            invalid = firstOf(invalid, "method must be a non-empty string of at most "
                                    + MAX_METHOD_LENGTH + " characters");
                        }
                        else {
                            method = text;
                        }
                    }
                    else {
                        parser.skipChildren();
                        invalid = firstOf(invalid, "method must be a string");
                    }
                }
                case "params" -> {
                    if (paramsSeen) {
                        invalid = firstOf(invalid, "duplicate member params");
                    }
                    paramsSeen = true;
                    if (value == JsonToken.START_ARRAY || value == JsonToken.START_OBJECT) {
                        parser.skipChildren();
                    }
                    else {
                        invalid = firstOf(invalid, "params must be an array or an object");
                    }
                }
                case "id" -> {
                    if (id != null) {
                        invalid = firstOf(invalid, "duplicate member id");
                    }
                    JsonRpcId read = readId(parser, value, body);
                    if (read == null) {
                        parser.skipChildren();
                        invalid = firstOf(invalid, "id must be a string, a number or null of at most "
                                + MAX_ID_LENGTH + " characters");
                        id = JsonRpcId.NULL;
                    }
                    else {
                        id = read;
                    }
                }
                default -> {
                    parser.skipChildren();
                    if (foldsToAMemberOfACall(name)) {
                        invalid = firstOf(invalid, "member names jsonrpc, method, params and id are case-sensitive");
                    }
                }
            }
        }
        if (!versionSeen) {
            invalid = firstOf(invalid, "jsonrpc must be \"2.0\"");
        }
        if (method == null) {
            invalid = firstOf(invalid, "method is missing");
        }
        boolean notification = id == null;
        if (invalid != null) {
            // An invalid request is answered even without an id (JSON-RPC 2.0, section 5).
            return new JsonRpcCall(method, id == null ? JsonRpcId.NULL : id, false, start, offsetAfter(parser),
                    invalid);
        }
        return new JsonRpcCall(method, notification ? JsonRpcId.NULL : id, notification, start, offsetAfter(parser),
                null);
    }

    /**
     * The id as the caller wrote it, or {@code null} when the value is not an acceptable id. A string id is
     * echoed as its raw bytes, not re-encoded: clients may match answers to calls byte for byte, and a
     * re-encoding would both change escapes ({@code "\\u00e9"} to {@code "é"}) and fail on a lone surrogate
     * escape, which JSON allows.
     */
    private static JsonRpcId readId(JsonParser parser, JsonToken value, byte[] body) {
        return switch (value) {
            case VALUE_NULL -> JsonRpcId.NULL;
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                // A number's text is ASCII and kept by the parser exactly as sent.
                String text = parser.getString();
                yield text.length() > MAX_ID_LENGTH ? null : JsonRpcId.ofJson(text.getBytes(StandardCharsets.US_ASCII));
            }
            case VALUE_STRING -> {
                int start = offset(parser);
                parser.finishToken();
                int end = offsetAfter(parser);
                if (end - start > MAX_ID_LENGTH) {
                    yield null;
                }
                yield JsonRpcId.ofJson(Arrays.copyOfRange(body, start, end));
            }
            default -> null;
        };
    }

    /**
     * The {@code params} of {@code call} (a valid call of {@code body}) exactly as sent, or {@code null} when it has
     * none. Read again from the call's bytes rather than remembered by {@link #read}: only the few calls that need it
     * (the response cache's) pay for it.
     */
    public static byte[] paramsOf(byte[] body, JsonRpcCall call) {
        byte[] element = Arrays.copyOfRange(body, call.start(), call.end());
        try (JsonParser parser = PARAMS.createParser(ObjectReadContext.empty(), element)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("params".equals(name) && (value == JsonToken.START_ARRAY || value == JsonToken.START_OBJECT)) {
                    int start = offset(parser);
                    parser.skipChildren();
                    return Arrays.copyOfRange(element, start, offsetAfter(parser));
                }
                parser.skipChildren();
            }
            return null;
        }
        catch (JacksonException unreadable) {
            return null;
        }
    }

    /**
     * Whether {@code name} is another spelling of {@code jsonrpc}, {@code method}, {@code params} or {@code id} for a
     * case-insensitive decoder. Go's encoding/json (geth, Erigon and most EVM nodes) matches member names that way,
     * keeping the last match, and folds Unicode as well (U+017F for s, U+0131 and U+0130 for i): it would read
     * {@code {"method":"eth_chainId","METHOD":"debug_traceTransaction"}} as the second method, behind the back of
     * the gateway's policy and pricing. Such a call is refused rather than guessed at.
     */
    static boolean foldsToAMemberOfACall(String name) {
        return foldsTo(name, "JSONRPC") || foldsTo(name, "METHOD") || foldsTo(name, "PARAMS") || foldsTo(name, "ID");
    }

    /** Go's fold: each code point upper-cased after lower-casing, compared with {@code upper} (ASCII). */
    private static boolean foldsTo(String name, String upper) {
        int i = 0;
        int j = 0;
        while (i < name.length() && j < upper.length()) {
            int codePoint = name.codePointAt(i);
            if (Character.toUpperCase(Character.toLowerCase(codePoint)) != upper.charAt(j)) {
                return false;
            }
            i += Character.charCount(codePoint);
            j++;
        }
        return i == name.length() && j == upper.length();
    }

    private static String firstOf(String current, String next) {
        return current != null ? current : next;
    }

    private static int offset(JsonParser parser) {
        return (int) parser.currentTokenLocation().getByteOffset();
    }

    private static int offsetAfter(JsonParser parser) {
        return (int) parser.currentLocation().getByteOffset();
    }
}
