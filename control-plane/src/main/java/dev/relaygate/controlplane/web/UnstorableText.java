package dev.relaygate.controlplane.web;

import tools.jackson.core.JsonParser;
import tools.jackson.databind.exc.InvalidFormatException;

/**
 * A text in a request body that PostgreSQL cannot store or that is not Unicode: a NUL character (PostgreSQL refuses
 * it in {@code text} and {@code jsonb}) or a surrogate without its pair ({@code "\ud800"}, which UTF-8 cannot
 * encode). Refused while the body is read, with the field's path, by {@link TextInput}.
 */
final class UnstorableText extends InvalidFormatException {

    static final String REASON = "must be Unicode text without NUL characters or unpaired surrogates";

    UnstorableText(JsonParser parser) {
        super(parser, "text " + REASON, null, String.class);
    }

    /** Whether {@code text} can be stored and encoded as UTF-8. */
    static boolean storable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u0000') {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            }
            else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
