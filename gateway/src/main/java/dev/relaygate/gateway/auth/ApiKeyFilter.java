package dev.relaygate.gateway.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import dev.relaygate.gateway.jsonrpc.JsonRpcEnvelope;
import dev.relaygate.gateway.jsonrpc.JsonRpcErrorCode;
import dev.relaygate.gateway.jsonrpc.JsonRpcResponses;
import dev.relaygate.gateway.routing.ExchangeAttributes;

/**
 * Finds the caller's key, in the path ({@code /v1/{chain}/{apiKey}}), else in {@code X-Api-Key}, else as
 * {@code Authorization: Bearer rgk_…}, and asks the {@link KeyResolver} whether it may be used. Writes
 * {@link ExchangeAttributes#KEY} and {@link ExchangeAttributes#PLAN}, or answers 401 (the same for every kind of bad key) or 503 when keys cannot
 * be looked up right now.
 */
public final class ApiKeyFilter implements GatewayFilter {

    public static final String API_KEY_HEADER = "X-Api-Key";

    private static final String BEARER = "Bearer ";

    private static final Logger log = LoggerFactory.getLogger(ApiKeyFilter.class);

    private final KeyResolver resolver;

    public ApiKeyFilter(KeyResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        JsonRpcEnvelope envelope = exchange.getRequiredAttribute(ExchangeAttributes.ENVELOPE);
        return resolver.resolve(presentedKey(exchange))
            .map(Lookup::found)
            .defaultIfEmpty(Lookup.REFUSED)
            .onErrorResume(failure -> {
                log.warn("Request {}: key lookup failed: {}", exchange.getAttribute(ExchangeAttributes.REQUEST_ID),
                        failure.toString());
                return Mono.just(Lookup.UNAVAILABLE);
            })
            .flatMap(lookup -> {
                if (lookup.key() != null) {
                    exchange.getAttributes().put(ExchangeAttributes.KEY, lookup.key().key());
                    exchange.getAttributes().put(ExchangeAttributes.PLAN, lookup.key().plan());
                    return chain.filter(exchange);
                }
                JsonRpcErrorCode code = lookup == Lookup.UNAVAILABLE
                        ? JsonRpcErrorCode.KEY_SERVICE_UNAVAILABLE : JsonRpcErrorCode.UNAUTHORIZED;
                return JsonRpcResponses.reject(exchange, code, envelope.wholeRequestId(), null);
            });
    }

    /** The resolver's answer: a usable key, a refusal, or no answer. */
    private record Lookup(ResolvedKey key) {

        static final Lookup REFUSED = new Lookup(null);

        static final Lookup UNAVAILABLE = new Lookup(null);

        static Lookup found(ResolvedKey key) {
            return new Lookup(key);
        }
    }

    static String presentedKey(ServerWebExchange exchange) {
        String inPath = ServerWebExchangeUtils.getUriTemplateVariables(exchange).get("apiKey");
        if (inPath != null) {
            return inPath;
        }
        HttpHeaders headers = exchange.getRequest().getHeaders();
        String header = headers.getFirst(API_KEY_HEADER);
        if (header != null) {
            return header.trim();
        }
        String authorization = headers.getFirst(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return authorization.substring(BEARER.length()).trim();
        }
        return null;
    }
}
