package dev.relaygate.gateway.observability;

import java.nio.charset.StandardCharsets;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webflux.error.ErrorWebExceptionHandler;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import dev.relaygate.gateway.jsonrpc.JsonRpcErrorCode;
import dev.relaygate.gateway.jsonrpc.JsonRpcErrors;
import dev.relaygate.gateway.jsonrpc.JsonRpcId;
import dev.relaygate.gateway.jsonrpc.JsonRpcResponses;
import dev.relaygate.gateway.routing.ExchangeAttributes;

/**
 * The last word on any error no filter answered: a JSON-RPC error object under {@code /v1/}, a small JSON
 * object elsewhere, never a stack trace, an exception message or an HTML page. Unexpected errors are logged
 * with the request id, which the answer carries too.
 */
@Order(-2)
public final class GatewayErrorHandler implements ErrorWebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(GatewayErrorHandler.class);

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable failure) {
        if (exchange.getResponse().isCommitted()) {
            return Mono.error(failure);
        }
        HttpStatusCode status = failure instanceof ResponseStatusException known ? known.getStatusCode()
                : HttpStatus.INTERNAL_SERVER_ERROR;
        if (status.is5xxServerError()) {
            log.error("Request {} failed", exchange.getAttribute(ExchangeAttributes.REQUEST_ID), failure);
        }
        if (exchange.getRequest().getPath().value().startsWith("/v1/")) {
            JsonRpcErrorCode code = switch (status.value()) {
                case 404 -> JsonRpcErrorCode.CHAIN_NOT_FOUND;
                case 405 -> JsonRpcErrorCode.HTTP_METHOD_NOT_ALLOWED;
                case 413 -> JsonRpcErrorCode.BODY_TOO_LARGE;
                default -> status.is4xxClientError() ? JsonRpcErrorCode.INVALID_REQUEST : JsonRpcErrorCode.INTERNAL_ERROR;
            };
            return JsonRpcResponses.write(exchange, status, JsonRpcResponses.JSON,
                    JsonRpcErrors.error(code, JsonRpcId.NULL, null));
        }
        String reason = status instanceof HttpStatus known ? known.getReasonPhrase() : "Error";
        byte[] body = ("{\"status\":" + status.value() + ",\"error\":\"" + reason + "\"}").getBytes(StandardCharsets.UTF_8);
        return JsonRpcResponses.write(exchange, status, JsonRpcResponses.JSON, body);
    }
}
