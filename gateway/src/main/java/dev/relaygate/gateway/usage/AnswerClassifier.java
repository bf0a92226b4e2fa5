package dev.relaygate.gateway.usage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Decides the {@link UsageOutcome} of each relayed call from the upstream's answer, with Jackson's streaming parser
 * over the answer bytes and never a tree: only the top-level members of each answer object are looked at
 * ({@code id}, and whether {@code error} is present and not null); results are skipped.
 *
 * <p>A batch answer is matched to the calls by id. Answers with the same id (a batch that repeats an id) are given
 * to the calls with that id in order: the counts per outcome stay exact, only which of those calls got which
 * outcome is a guess. A call whose answer is missing, a non-JSON answer, and a non-2xx answer without a JSON-RPC
 * error are {@link UsageOutcome#UPSTREAM_ERROR}; a notification is {@link UsageOutcome#OK} once the node answered.
 * A single answer object to a batch (a node refusing the whole batch) applies to every call.
 */
final class AnswerClassifier {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private AnswerClassifier() {
    }

    /** The outcome of each of {@code calls}, in order. */
    static UsageOutcome[] classify(List<UsageCall> calls, int status, byte[] answer) {
        if (calls.size() == 1 && answer != null && status != 0) {
            // The common case, one call and one answer object, without a parser: it runs on the event loop for every
            // relayed call, and a parser costs a kilobyte or so of garbage each time.
            int members = SingleAnswer.members(answer);
            if (members != SingleAnswer.UNREADABLE) {
                return new UsageOutcome[] {outcome(members, status / 100 == 2)};
            }
        }
        return classifyWithParser(calls, status, answer);
    }

    /** A single answer object's outcome from its top-level members ({@link SingleAnswer} flags). */
    private static UsageOutcome outcome(int members, boolean success) {
        if ((members & SingleAnswer.ERROR) != 0) {
            return UsageOutcome.RPC_ERROR;
        }
        return success && (members & SingleAnswer.RESULT) != 0 ? UsageOutcome.OK : UsageOutcome.UPSTREAM_ERROR;
    }

    /** As {@link #classify}, always with Jackson's streaming parser (every answer shape). */
    static UsageOutcome[] classifyWithParser(List<UsageCall> calls, int status, byte[] answer) {
        UsageOutcome[] outcomes = new UsageOutcome[calls.size()];
        if (answer == null || status == 0) {
            Arrays.fill(outcomes, UsageOutcome.UPSTREAM_ERROR);
            return outcomes;
        }
        boolean success = status / 100 == 2;
        List<Element> elements;
        try {
            elements = elements(answer);
        }
        catch (JacksonException | IllegalStateException unreadable) {
            elements = null;
        }
        if (elements == null) {
            // Not JSON-RPC at all: an HTML error page, a truncated body. An empty 2xx body is a fine answer to
            // notifications only.
            for (int i = 0; i < outcomes.length; i++) {
                outcomes[i] = success && answer.length == 0 && calls.get(i).notification() ? UsageOutcome.OK
                        : UsageOutcome.UPSTREAM_ERROR;
            }
            return outcomes;
        }
        boolean whole = elements.size() == 1 && elements.get(0).whole();
        boolean[] used = new boolean[elements.size()];
        for (int i = 0; i < outcomes.length; i++) {
            UsageCall call = calls.get(i);
            Element element = whole ? elements.get(0) : call.notification() ? null : take(elements, used, idKey(call.id()));
            if (element == null) {
                outcomes[i] = call.notification() && success ? UsageOutcome.OK : UsageOutcome.UPSTREAM_ERROR;
            }
            else if (element.error()) {
                outcomes[i] = UsageOutcome.RPC_ERROR;
            }
            else {
                outcomes[i] = success && element.result() ? UsageOutcome.OK : UsageOutcome.UPSTREAM_ERROR;
            }
        }
        return outcomes;
    }

    private static Element take(List<Element> elements, boolean[] used, String id) {
        for (int j = 0; j < elements.size(); j++) {
            if (!used[j] && id.equals(elements.get(j).id())) {
                used[j] = true;
                return elements.get(j);
            }
        }
        return null;
    }

    /** The answer objects, or {@code null} when the answer is not a JSON object or array of objects. */
    private static List<Element> elements(byte[] answer) {
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), answer)) {
            JsonToken first = parser.nextToken();
            List<Element> elements = new ArrayList<>();
            if (first == JsonToken.START_OBJECT) {
                elements.add(element(parser, true));
            }
            else if (first == JsonToken.START_ARRAY) {
                JsonToken token;
                while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                    if (token == JsonToken.START_OBJECT) {
                        elements.add(element(parser, false));
                    }
                    else {
                        parser.skipChildren();
                    }
                }
            }
            else {
                return null;
            }
            return elements;
        }
    }

    /** Reads one answer object's top-level members, the parser being on its START_OBJECT. */
    private static Element element(JsonParser parser, boolean whole) {
        String id = null;
        boolean error = false;
        boolean result = false;
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (name) {
                case "id" -> id = idKey(parser, value);
                case "error" -> error = value != JsonToken.VALUE_NULL;
                case "result" -> result = true;
                default -> { }
            }
            parser.skipChildren();
        }
        return new Element(id, error, result, whole);
    }

    /** A comparable form of an id given as JSON text (the request's). */
    static String idKey(String json) {
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), json)) {
            return idKey(parser, parser.nextToken());
        }
        catch (JacksonException unreadable) {
            return "?" + json;
        }
    }

    /** A comparable form of the id the parser is on: the same for {@code "a"} and {@code "\u0061"}. */
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

    /** One answer object. {@code whole}: the answer was this one object, not an array. */
    private record Element(String id, boolean error, boolean result, boolean whole) {
    }
}
