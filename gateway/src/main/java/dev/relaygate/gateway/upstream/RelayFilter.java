package dev.relaygate.gateway.upstream;

import java.util.List;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import dev.relaygate.gateway.jsonrpc.JsonRpcBatches;
import dev.relaygate.gateway.jsonrpc.JsonRpcCall;
import dev.relaygate.gateway.jsonrpc.JsonRpcEnvelope;
import dev.relaygate.gateway.jsonrpc.JsonRpcErrorCode;
import dev.relaygate.gateway.jsonrpc.JsonRpcErrors;
import dev.relaygate.gateway.jsonrpc.JsonRpcRefusal;
import dev.relaygate.gateway.jsonrpc.JsonRpcResponses;
import dev.relaygate.gateway.routing.ChainCatalogue;
import dev.relaygate.gateway.routing.ExchangeAttributes;

/**
 * Last step of the hot path: relays the request to the chain's upstream and answers with what it says.
 * The body goes out as received unless the gateway answers some calls of a batch itself; then the other calls
 * go out, with their original bytes, and the two answers are spliced. Ends the chain: SCG's own routing
 * filters do not run for Relaygate routes.
 */
public final class RelayFilter implements GatewayFilter {

    private final UpstreamClient upstream;

    public RelayFilter(UpstreamClient upstream) {
        this.upstream = upstream;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        byte[] body = exchange.getRequiredAttribute(ExchangeAttributes.BODY);
        JsonRpcEnvelope envelope = exchange.getRequiredAttribute(ExchangeAttributes.ENVELOPE);
        ChainCatalogue.Chain target = exchange.getRequiredAttribute(ExchangeAttributes.CHAIN);
        List<JsonRpcRefusal> refusals = exchange.getAttributeOrDefault(ExchangeAttributes.REFUSALS, List.of());
        if (refusals.isEmpty()) {
            return upstream.post(target.upstreams().get(0), body)
                .flatMap(answer -> JsonRpcResponses.write(exchange, HttpStatusCode.valueOf(answer.status()),
                        answer.contentType(), answer.body()))
                .onErrorResume(failure -> unavailable(exchange, envelope));
        }
        byte[] errors = JsonRpcErrors.errors(refusals);
        List<JsonRpcCall> relayed = JsonRpcBatches.relayed(envelope, refusals);
        if (relayed.isEmpty()) {
            return JsonRpcResponses.write(exchange, HttpStatus.OK, JsonRpcResponses.JSON, errors);
        }
        return upstream.post(target.upstreams().get(0), JsonRpcBatches.body(body, relayed))
            .flatMap(answer -> {
                byte[] spliced = HttpStatusCode.valueOf(answer.status()).is2xxSuccessful()
                        ? JsonRpcBatches.splice(answer.body(), errors) : null;
                return spliced == null
                        ? JsonRpcResponses.write(exchange, HttpStatusCode.valueOf(answer.status()), answer.contentType(),
                                answer.body())
                        : JsonRpcResponses.write(exchange, HttpStatus.OK, JsonRpcResponses.JSON, spliced);
            })
            .onErrorResume(failure -> unavailable(exchange, envelope));
    }

    private static Mono<Void> unavailable(ServerWebExchange exchange, JsonRpcEnvelope envelope) {
        return JsonRpcResponses.reject(exchange, JsonRpcErrorCode.UPSTREAM_UNAVAILABLE, envelope.wholeRequestId(), null);
    }
}
