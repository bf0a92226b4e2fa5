package dev.relaygate.controlplane.web;

import java.util.Comparator;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.WebExceptionHandler;

import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one place that turns a failure into an RFC 9457 {@code application/problem+json} answer, for controllers,
 * filters, unknown paths, wrong methods and malformed bodies alike. It runs before Spring Boot's own error
 * handler, so no answer ever carries a stack trace or an exception message we did not write.
 */
@Component
@Order(-2)
public final class ProblemExceptionHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemExceptionHandler.class);

    public static final MediaType PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON;

    private final JsonMapper json;

    public ProblemExceptionHandler(JsonMapper json) {
        this.json = json;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable failure) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.error(failure);
        }
        Problem problem = toProblem(exchange, failure);
        response.setStatusCode(HttpStatusCode.valueOf(problem.status()));
        HttpHeaders headers = response.getHeaders();
        headers.setContentType(PROBLEM_JSON);
        if (problem.status() == HttpStatus.UNAUTHORIZED.value()) {
            headers.set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        if (failure instanceof MethodNotAllowedException notAllowed) {
            headers.setAllow(notAllowed.getSupportedMethods());
        }
        byte[] body = json.writeValueAsBytes(problem);
        DataBuffer buffer = response.bufferFactory().wrap(body);
        return response.writeWith(Mono.just(buffer));
    }

    private Problem toProblem(ServerWebExchange exchange, Throwable failure) {
        String path = exchange.getRequest().getPath().value();
        String requestId = RequestIds.of(exchange);
        if (failure instanceof ApiException api) {
            return problem(api.status(), api.title(), api.getMessage(), path, requestId, api.fieldProblems());
        }
        if (failure instanceof WebExchangeBindException bind) {
            List<ApiException.FieldProblem> fields = bind.getFieldErrors().stream()
                .sorted(Comparator.comparing(FieldError::getField))
                .map(e -> new ApiException.FieldProblem(e.getField(), e.getDefaultMessage()))
                .toList();
            return problem(HttpStatus.BAD_REQUEST, "Invalid request", "The request has invalid fields", path,
                    requestId, fields);
        }
        BodyProblems.Unreadable unreadable = failure instanceof ServerWebInputException
                || failure instanceof DecodingException ? BodyProblems.of(failure) : null;
        if (unreadable != null) {
            // Named from the parser's path to the field; the parser's own message, which quotes Java types and the
            // input, is deliberately not shown.
            return problem(HttpStatus.BAD_REQUEST, unreadable.fields().isEmpty() ? "Malformed request"
                    : "Invalid request", unreadable.detail(), path, requestId, unreadable.fields());
        }
        if (failure instanceof ServerWebInputException input) {
            // The reason is Spring's fixed wording ("Failed to read HTTP message", "Type mismatch."); the cause,
            // which may quote parser internals, is deliberately not shown.
            String reason = input.getReason() == null ? "The request could not be read" : input.getReason();
            return problem(HttpStatus.BAD_REQUEST, "Malformed request", reason, path, requestId, List.of());
        }
        if (failure instanceof ResponseStatusException status) {
            HttpStatus code = HttpStatus.resolve(status.getStatusCode().value());
            if (code == null) {
                code = HttpStatus.INTERNAL_SERVER_ERROR;
            }
            if (code.is5xxServerError()) {
                log.error("Request {} {} failed", exchange.getRequest().getMethod(), path, failure);
            }
            return problem(code, code.getReasonPhrase(), describe(code), path, requestId, List.of());
        }
        log.error("Request {} {} failed", exchange.getRequest().getMethod(), path, failure);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error",
                "The request could not be completed; quote the request id when reporting it", path, requestId,
                List.of());
    }

    private static String describe(HttpStatus code) {
        return switch (code) {
            case NOT_FOUND -> "No resource at this path";
            case METHOD_NOT_ALLOWED -> "This method is not allowed on this path";
            case UNSUPPORTED_MEDIA_TYPE -> "The request content type is not supported; send application/json";
            case NOT_ACCEPTABLE -> "No acceptable representation";
            case PAYLOAD_TOO_LARGE, CONTENT_TOO_LARGE -> "The request body is too large";
            default -> code.getReasonPhrase();
        };
    }

    private static Problem problem(HttpStatus status, String title, String detail, String path, String requestId,
            List<ApiException.FieldProblem> fields) {
        return new Problem("about:blank", title, status.value(), detail, path, requestId, fields);
    }
}
