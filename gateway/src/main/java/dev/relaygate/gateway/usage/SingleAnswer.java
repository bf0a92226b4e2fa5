package dev.relaygate.gateway.usage;

/**
 * Reads which top-level members one JSON-RPC answer object has ({@code result}; {@code error} other than
 * {@code null}) straight from its bytes, without a parser and without allocating. It understands exactly the plain
 * shape nodes send; anything else (an array, a member name with an escape, a literal it does not know, brackets that
 * do not match, trailing bytes) is {@link #UNREADABLE}, and the caller falls back to a real parser.
 */
final class SingleAnswer {

    /** The answer has a {@code result} member. */
    static final int RESULT = 1;

    /** The answer has an {@code error} member that is not {@code null}. */
    static final int ERROR = 2;

    /** Not a plain answer object: ask a parser. */
    static final int UNREADABLE = -1;

    /** Nesting this deep is left to the parser (the bracket stack is one bit per level of a long). */
    private static final int MAX_DEPTH = 63;

    private static final byte[] RESULT_NAME = {'r', 'e', 's', 'u', 'l', 't'};

    private static final byte[] ERROR_NAME = {'e', 'r', 'r', 'o', 'r'};

    private static final byte[] NULL = {'n', 'u', 'l', 'l'};

    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};

    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};

    private SingleAnswer() {
    }

    /** {@link #RESULT} and {@link #ERROR} flags of the answer object in {@code json}, or {@link #UNREADABLE}. */
    static int members(byte[] json) {
        int i = skipSpace(json, 0);
        if (i >= json.length || json[i] != '{') {
            return UNREADABLE;
        }
        int members = 0;
        i = skipSpace(json, i + 1);
        if (i < json.length && json[i] == '}') {
            return skipSpace(json, i + 1) == json.length ? members : UNREADABLE;
        }
        while (true) {
            if (i >= json.length || json[i] != '"') {
                return UNREADABLE;
            }
            int nameStart = i + 1;
            int nameEnd = nameStart;
            while (nameEnd < json.length && json[nameEnd] != '"') {
                if (json[nameEnd] == '\\') {
                    return UNREADABLE;
                }
                nameEnd++;
            }
            i = skipSpace(json, nameEnd + 1);
            if (i >= json.length || json[i] != ':') {
                return UNREADABLE;
            }
            int valueStart = skipSpace(json, i + 1);
            i = skipValue(json, valueStart);
            if (i < 0) {
                return UNREADABLE;
            }
            if (equals(json, nameStart, nameEnd, RESULT_NAME)) {
                members |= RESULT;
            }
            else if (equals(json, nameStart, nameEnd, ERROR_NAME) && !equals(json, valueStart, i, NULL)) {
                members |= ERROR;
            }
            i = skipSpace(json, i);
            if (i >= json.length) {
                return UNREADABLE;
            }
            if (json[i] == '}') {
                return skipSpace(json, i + 1) == json.length ? members : UNREADABLE;
            }
            if (json[i] != ',') {
                return UNREADABLE;
            }
            i = skipSpace(json, i + 1);
        }
    }

    /** The index just after the value that starts at {@code i}, or -1 when it is not a well-formed value. */
    private static int skipValue(byte[] json, int i) {
        if (i >= json.length) {
            return -1;
        }
        byte first = json[i];
        if (first == '"') {
            return skipString(json, i);
        }
        if (first == '{' || first == '[') {
            return skipContainer(json, i);
        }
        int end = i;
        while (end < json.length && json[end] != ',' && json[end] != '}' && json[end] != ']'
                && !space(json[end])) {
            end++;
        }
        if (equals(json, i, end, NULL) || equals(json, i, end, TRUE) || equals(json, i, end, FALSE)) {
            return end;
        }
        return number(json, i, end) ? end : -1;
    }

    /** Skips an object or array, strings included, checking that each closing bracket matches its opening one. */
    private static int skipContainer(byte[] json, int i) {
        long objects = 0;
        int depth = 0;
        while (i < json.length) {
            byte c = json[i];
            if (c == '"') {
                i = skipString(json, i);
                if (i < 0) {
                    return -1;
                }
                continue;
            }
            if (c == '{' || c == '[') {
                if (depth == MAX_DEPTH) {
                    return -1;
                }
                objects = c == '{' ? objects | (1L << depth) : objects & ~(1L << depth);
                depth++;
            }
            else if (c == '}' || c == ']') {
                depth--;
                if (depth < 0 || ((objects & (1L << depth)) != 0) != (c == '}')) {
                    return -1;
                }
                if (depth == 0) {
                    return i + 1;
                }
            }
            i++;
        }
        return -1;
    }

    /** The index just after the string that starts at {@code i} (its opening quote), or -1 when it never ends. */
    private static int skipString(byte[] json, int i) {
        i++;
        while (i < json.length) {
            byte c = json[i];
            if (c == '\\') {
                i += 2;
            }
            else if (c == '"') {
                return i + 1;
            }
            else {
                i++;
            }
        }
        return -1;
    }

    private static boolean number(byte[] json, int from, int to) {
        if (from == to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            byte c = json[i];
            if (!(c >= '0' && c <= '9') && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E') {
                return false;
            }
        }
        return true;
    }

    private static boolean equals(byte[] json, int from, int to, byte[] expected) {
        if (to - from != expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (json[from + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private static int skipSpace(byte[] json, int i) {
        while (i < json.length && space(json[i])) {
            i++;
        }
        return i;
    }

    private static boolean space(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }
}
