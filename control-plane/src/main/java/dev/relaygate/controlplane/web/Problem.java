package dev.relaygate.controlplane.web;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The body of every error answer, RFC 9457 problem details plus the request id and, for validation failures,
 * one entry per invalid field.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, String instance, String requestId,
        List<ApiException.FieldProblem> errors) {
}
