package dev.relaygate.gateway.upstream;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads an upstream's 2xx answer for signs that the node, not the call, is at fault: its rate limit was hit, or it
 * lacks the block or state asked for (it lags, or is pruned). Such an answer is a failure of that upstream; any
 * other answer, JSON-RPC errors included ({@code execution reverted}, bad params), is the answer to relay.
 * Only answers that mention {@code "error"} are parsed.
 */
final class NodeAnswers {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final byte[] ERROR_MEMBER = "\"error\"".getBytes(StandardCharsets.US_ASCII);

    /** Error messages, lower case, of nodes that lack what was asked (geth, erigon, nethermind, reth, besu). */
    private static final List<String> NODE_PROBLEMS = List.of("header not found", "missing trie node",
            "unknown block", "block not found", "could not find block", "historical state", "state not available",
            "pruned", "node is syncing", "not synced");

    /** Error messages, lower case, of providers that rate-limit over JSON-RPC with a 200. */
    private static final List<String> RATE_LIMITS = List.of("rate limit", "too many requests", "request limit",
            "capacity exceeded", "exceeded its compute units", "daily request count exceeded");

    private NodeAnswers() {
    }

    /** The failure {@code body} stands for, or {@code null} when it is an answer to relay. */
    static Failure classify(byte[] body) {
        if (indexOf(body, ERROR_MEMBER) < 0) {
            return null;
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(body);
        }
        catch (JacksonException malformed) {
            return null;
        }
        if (answer.isArray()) {
            Failure worst = null;
            for (JsonNode element : answer) {
                Failure failure = classifyOne(element);
                if (failure == Failure.RATE_LIMITED) {
                    return failure;
                }
                worst = failure == null ? worst : failure;
            }
            return worst;
        }
        return classifyOne(answer);
    }

    private static Failure classifyOne(JsonNode answer) {
        JsonNode error = answer.get("error");
        if (error == null || !error.isObject()) {
            return null;
        }
        int code = error.path("code").asInt(0);
        String message = error.path("message").asString("").toLowerCase(Locale.ROOT);
        if (code == 429 || containsAny(message, RATE_LIMITS)) {
            return Failure.RATE_LIMITED;
        }
        return containsAny(message, NODE_PROBLEMS) ? Failure.NODE_PROBLEM : null;
    }

    private static boolean containsAny(String message, List<String> needles) {
        for (String needle : needles) {
            if (message.contains(needle)) {
                return true;
            }
        }
        return false;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
