package dev.relaygate.gateway.jsonrpc;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** Ends an exchange with a JSON body: a gateway-made JSON-RPC error, or an answer relayed as is. */
public final class JsonRpcResponses {

    /** The Content-Type of every answer the gateway makes itself. */
    public static final String JSON = MediaType.APPLICATION_JSON_VALUE;

    private JsonRpcResponses() {
    }

    /** Answers the whole request with one error object echoing {@code id}. */
    public static Mono<Void> reject(ServerWebExchange exchange, JsonRpcErrorCode code, JsonRpcId id, String detail) {
        return write(exchange, code.status(), JSON, JsonRpcErrors.error(code, id, detail));
    }

    /** Answers with {@code body} as it is, with the given status and Content-Type. */
    public static Mono<Void> write(ServerWebExchange exchange, HttpStatusCode status, String contentType, byte[] body) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().set(HttpHeaders.CONTENT_TYPE, contentType == null ? JSON : contentType);
        response.getHeaders().setContentLength(body.length);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }
}
