package dev.relaygate.controlplane.web;

import java.util.List;

import org.springframework.http.HttpStatus;

/**
 * A refusal the API answers on purpose. {@link ProblemExceptionHandler} turns it into RFC 9457 problem details;
 * it never carries a cause, so nothing internal can leak into an answer.
 */
public final class ApiException extends RuntimeException {

    private final HttpStatus status;

    private final String title;

    private final List<FieldProblem> fieldProblems;

    public ApiException(HttpStatus status, String title, String detail) {
        this(status, title, detail, List.of());
    }

    public ApiException(HttpStatus status, String title, String detail, List<FieldProblem> fieldProblems) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.fieldProblems = List.copyOf(fieldProblems);
    }

    public static ApiException notFound(String what) {
        return new ApiException(HttpStatus.NOT_FOUND, "Not found", what + " not found");
    }

    public static ApiException unauthorized(String detail) {
        return new ApiException(HttpStatus.UNAUTHORIZED, "Unauthorized", detail);
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(HttpStatus.FORBIDDEN, "Forbidden", detail);
    }

    public static ApiException conflict(String detail) {
        return new ApiException(HttpStatus.CONFLICT, "Conflict", detail);
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, "Bad request", detail);
    }

    public static ApiException unavailable(String detail) {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Service unavailable", detail);
    }

    public static ApiException invalidField(String field, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "Invalid request", "The request has invalid fields",
                List.of(new FieldProblem(field, message)));
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }

    public List<FieldProblem> fieldProblems() {
        return fieldProblems;
    }

    /** One invalid field of a request: which one and why. */
    public record FieldProblem(String field, String message) {
    }
}
