package dev.relaygate.controlplane.web;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.ValueInstantiationException;

import dev.relaygate.controlplane.web.ApiException.FieldProblem;

/**
 * Says what is wrong with a request body Jackson could not read, in the API's words: which field (its JSON path,
 * {@code policy.allowedChains[2]}) and what it must be. Never Jackson's own message, which quotes Java types and the
 * input. Pure: no Spring, no I/O.
 */
final class BodyProblems {

    private BodyProblems() {
    }

    /** What {@link ProblemExceptionHandler} answers for an unreadable body: a detail and the fields at fault. */
    record Unreadable(String detail, List<FieldProblem> fields) {
    }

    /** The Jackson failure in {@code failure}'s causes, described; {@code null} when there is none. */
    static Unreadable of(Throwable failure) {
        JacksonException jackson = find(failure);
        if (jackson == null) {
            return null;
        }
        if (jackson instanceof StreamConstraintsException) {
            return new Unreadable("The request body is beyond the parser's limits (nesting depth, length of a number "
                    + "or of a text)", List.of());
        }
        String path = path(jackson);
        if (path.isEmpty()) {
            if (jackson instanceof StreamReadException && !(jackson instanceof InputCoercionException)) {
                return new Unreadable("The request body is not valid JSON", List.of());
            }
            return new Unreadable("The request body must be a JSON object with the documented fields", List.of());
        }
        return new Unreadable("The request has invalid fields", List.of(new FieldProblem(path, reason(jackson))));
    }

    private static String reason(JacksonException failure) {
        if (failure instanceof UnstorableText) {
            return UnstorableText.REASON;
        }
        Class<?> type = targetType(failure);
        if (failure instanceof InputCoercionException) {
            return type == null ? "is out of range" : "is out of range for " + typeName(type);
        }
        if (failure instanceof StreamReadException) {
            return "is not valid JSON";
        }
        if (type == null) {
            return "has the wrong type";
        }
        return "must be " + typeName(type);
    }

    private static Class<?> targetType(JacksonException failure) {
        if (failure instanceof MismatchedInputException mismatched) {
            return mismatched.getTargetType();
        }
        if (failure instanceof ValueInstantiationException instantiation && instantiation.getType() != null) {
            return instantiation.getType().getRawClass();
        }
        if (failure instanceof InputCoercionException coercion) {
            return coercion.getTargetType();
        }
        return null;
    }

    private static String typeName(Class<?> type) {
        if (type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants())
                .map(constant -> ((Enum<?>) constant).name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
        }
        if (type == Integer.class || type == int.class) {
            return "a whole number from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE;
        }
        if (type == Long.class || type == long.class) {
            return "a whole number from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE;
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a text";
        }
        if (type == UUID.class) {
            return "a UUID";
        }
        if (type == Instant.class) {
            return "a timestamp (RFC 3339, such as 2027-01-31T00:00:00Z)";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (Number.class.isAssignableFrom(type)) {
            return "a number";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "an object";
        }
        return "a value of the documented type";
    }

    /** The JSON path of the field, {@code policy.allowedChains[2]}; empty for the body itself. */
    private static String path(JacksonException failure) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : failure.getPath()) {
            if (reference.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
            }
            else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static JacksonException find(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof JacksonException jackson) {
                return jackson;
            }
            if (cause.getCause() == cause) {
                return null;
            }
        }
        return null;
    }
}
