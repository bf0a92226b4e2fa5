package dev.relaygate.gateway.jsonrpc;

import java.util.ArrayList;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import dev.relaygate.gateway.routing.ExchangeAttributes;

/**
 * First step of the hot path: accepts only POST, reads the body once (bounded), and reads what it asks for.
 * Writes {@link ExchangeAttributes#BODY} and {@link ExchangeAttributes#ENVELOPE}, or ends the exchange with
 * 405, 413 or a parse/invalid-request error.
 */
public final class JsonRpcBodyFilter implements GatewayFilter {

    private final JsonRpcReader reader;

    private final int maxBodyBytes;

    public JsonRpcBodyFilter(JsonRpcProperties properties) {
        this.reader = new JsonRpcReader(properties.maxDepth(), properties.maxBatchSize());
        this.maxBodyBytes = properties.maxBodyBytes();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        if (exchange.getRequest().getMethod() != HttpMethod.POST) {
            exchange.getResponse().getHeaders().set(HttpHeaders.ALLOW, "POST");
            return JsonRpcResponses.reject(exchange, JsonRpcErrorCode.HTTP_METHOD_NOT_ALLOWED, JsonRpcId.NULL, null);
        }
        long declared = exchange.getRequest().getHeaders().getContentLength();
        if (declared > maxBodyBytes) {
            return JsonRpcResponses.reject(exchange, JsonRpcErrorCode.BODY_TOO_LARGE, JsonRpcId.NULL,
                    "at most " + maxBodyBytes + " bytes");
        }
        return DataBufferUtils.join(exchange.getRequest().getBody(), maxBodyBytes)
            .map(buffer -> {
                byte[] bytes = new byte[buffer.readableByteCount()];
                buffer.read(bytes);
                DataBufferUtils.release(buffer);
                return bytes;
            })
            .defaultIfEmpty(new byte[0])
            .flatMap(body -> {
                JsonRpcReader.Result result = reader.read(body);
                if (result instanceof JsonRpcReader.Rejected rejected) {
                    return JsonRpcResponses.reject(exchange, rejected.code(), JsonRpcId.NULL, rejected.detail());
                }
                JsonRpcEnvelope envelope = ((JsonRpcReader.Read) result).envelope();
                JsonRpcCall single = envelope.calls().get(0);
                if (!envelope.batch() && !single.valid()) {
                    return JsonRpcResponses.reject(exchange, JsonRpcErrorCode.INVALID_REQUEST, single.id(),
                            single.invalid());
                }
                exchange.getAttributes().put(ExchangeAttributes.BODY, body);
                exchange.getAttributes().put(ExchangeAttributes.ENVELOPE, envelope);
                if (envelope.batch()) {
                    exchange.getAttributes().put(ExchangeAttributes.REFUSALS,
                            new ArrayList<>(JsonRpcBatches.invalid(envelope)));
                }
                return chain.filter(exchange);
            })
            .onErrorResume(DataBufferLimitException.class, tooLarge -> JsonRpcResponses.reject(exchange,
                    JsonRpcErrorCode.BODY_TOO_LARGE, JsonRpcId.NULL, "at most " + maxBodyBytes + " bytes"));
    }
}
