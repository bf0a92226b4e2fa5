package dev.relaygate.gateway.jsonrpc;

import org.springframework.http.HttpStatus;

/**
 * Every JSON-RPC error the gateway itself answers with, its code, message and HTTP status, in one place.
 * Documented in docs/json-rpc-errors.md. Errors of the upstream node are relayed untouched and are not here.
 */
public enum JsonRpcErrorCode {

    PARSE_ERROR(-32700, "parse error", HttpStatus.BAD_REQUEST),
    INVALID_REQUEST(-32600, "invalid request", HttpStatus.BAD_REQUEST),
    METHOD_NOT_ALLOWED(-32601, "method not allowed for this key", HttpStatus.OK),
    UNAUTHORIZED(-32001, "unauthorized", HttpStatus.UNAUTHORIZED),
    FORBIDDEN(-32003, "forbidden by the key's policy", HttpStatus.FORBIDDEN),
    CHAIN_NOT_FOUND(-32004, "unknown chain", HttpStatus.NOT_FOUND),
    HTTP_METHOD_NOT_ALLOWED(-32600, "only POST is supported", HttpStatus.METHOD_NOT_ALLOWED),
    HEADERS_TOO_LARGE(-32600, "request headers too large", HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE),
    REQUEST_LINE_TOO_LONG(-32600, "request line too long", HttpStatus.URI_TOO_LONG),
    BODY_TOO_LARGE(-32005, "request body too large", HttpStatus.CONTENT_TOO_LARGE),
    LIMIT_EXCEEDED(-32005, "limit exceeded", HttpStatus.BAD_REQUEST),
    RATE_LIMITED(-32005, "rate limit exceeded", HttpStatus.TOO_MANY_REQUESTS),
    KEY_SERVICE_UNAVAILABLE(-32603, "keys cannot be checked right now", HttpStatus.SERVICE_UNAVAILABLE),
    UPSTREAM_UNAVAILABLE(-32603, "upstream unavailable", HttpStatus.BAD_GATEWAY),
    INTERNAL_ERROR(-32603, "internal error", HttpStatus.INTERNAL_SERVER_ERROR);

    private final int code;

    private final String message;

    private final HttpStatus status;

    JsonRpcErrorCode(int code, String message, HttpStatus status) {
        this.code = code;
        this.message = message;
        this.status = status;
    }

    public int code() {
        return code;
    }

    public String message() {
        return message;
    }

    /** The HTTP status when this error answers a whole request (inside a batch the status is 200). */
    public HttpStatus status() {
        return status;
    }
}
