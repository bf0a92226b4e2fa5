package dev.relaygate.gateway.routing;

import java.util.Optional;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import dev.relaygate.gateway.jsonrpc.JsonRpcEnvelope;
import dev.relaygate.gateway.jsonrpc.JsonRpcErrorCode;
import dev.relaygate.gateway.jsonrpc.JsonRpcResponses;

/** Finds the chain named in {@code /v1/{chain}}: writes {@link ExchangeAttributes#CHAIN}, or answers 404. */
public final class ChainFilter implements GatewayFilter {

    private final ChainCatalogue catalogue;

    public ChainFilter(ChainCatalogue catalogue) {
        this.catalogue = catalogue;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        String name = ServerWebExchangeUtils.getUriTemplateVariables(exchange).get("chain");
        Optional<ChainCatalogue.Chain> found = name == null ? Optional.empty() : catalogue.find(name);
        if (found.isEmpty()) {
            JsonRpcEnvelope envelope = exchange.getRequiredAttribute(ExchangeAttributes.ENVELOPE);
            return JsonRpcResponses.reject(exchange, JsonRpcErrorCode.CHAIN_NOT_FOUND, envelope.wholeRequestId(), null);
        }
        exchange.getAttributes().put(ExchangeAttributes.CHAIN, found.get());
        return chain.filter(exchange);
    }
}
