package dev.relaygate.gateway.jsonrpc;

/**
 * Every JSON-RPC error the gateway itself answers with, its code, message and HTTP status, in one place.
 * Documented in docs/json-rpc-errors.md. Errors of the upstream node are relayed untouched and are not here.
 * Pure: the HTTP status is a number, so the hot path and the Netty pipeline handler use it alike.
 */
public enum JsonRpcErrorCode {

    PARSE_ERROR(-32700, "parse error", 400),
    INVALID_REQUEST(-32600, "invalid request", 400),
    METHOD_NOT_ALLOWED(-32601, "method not allowed for this key", 200),
    UNAUTHORIZED(-32001, "unauthorized", 401),
    FORBIDDEN(-32003, "forbidden by the key's policy", 403),
    CHAIN_NOT_FOUND(-32004, "unknown chain", 404),
    HTTP_METHOD_NOT_ALLOWED(-32600, "only POST is supported", 405),
    HEADERS_TOO_LARGE(-32600, "request headers too large", 431),
    REQUEST_LINE_TOO_LONG(-32600, "request line too long", 414),
    BODY_TOO_LARGE(-32005, "request body too large", 413),
    LIMIT_EXCEEDED(-32005, "limit exceeded", 400),
    RATE_LIMITED(-32005, "rate limit exceeded", 429),
    TOO_MANY_SOCKETS(-32005, "too many open WebSockets", 429),
    INVALID_PARAMS(-32602, "invalid params", 400),
    MONTHLY_QUOTA_EXHAUSTED(-32005, "the organization's monthly compute-unit quota is used up", 429),
    KEY_DAILY_CAP_EXHAUSTED(-32005, "the key's daily compute-unit cap is used up", 429),
    KEY_MONTHLY_CAP_EXHAUSTED(-32005, "the key's monthly compute-unit cap is used up", 429),
    KEY_SERVICE_UNAVAILABLE(-32603, "keys cannot be checked right now", 503),
    UPSTREAM_UNAVAILABLE(-32603, "upstream unavailable", 502),
    INTERNAL_ERROR(-32603, "internal error", 500);

    private final int code;

    private final String message;

    private final int status;

    JsonRpcErrorCode(int code, String message, int status) {
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
    public int status() {
        return status;
    }
}
