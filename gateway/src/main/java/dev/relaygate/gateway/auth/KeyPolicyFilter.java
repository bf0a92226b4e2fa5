package dev.relaygate.gateway.auth;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import dev.relaygate.gateway.jsonrpc.JsonRpcCall;
import dev.relaygate.gateway.jsonrpc.JsonRpcEnvelope;
import dev.relaygate.gateway.jsonrpc.JsonRpcErrorCode;
import dev.relaygate.gateway.jsonrpc.JsonRpcRefusal;
import dev.relaygate.gateway.jsonrpc.JsonRpcResponses;
import dev.relaygate.gateway.routing.ChainCatalogue;
import dev.relaygate.gateway.routing.ExchangeAttributes;

/**
 * Applies the key's policy and its plan's limits to the request: the bearer JWT of a JWT-secured key (401),
 * chain, origin, client address, body and
 * batch size (403, 413, -32005), then each method (-32601 for a single call; a refused call of a batch is
 * answered in the batch while the rest is relayed). Allows the origin for CORS when it passed.
 */
public final class KeyPolicyFilter implements GatewayFilter {

    private final KeyPolicy policy;

    private final TrustedProxies proxies;

    private final KeyJwtCheck jwt;

    public KeyPolicyFilter(KeyPolicy policy, TrustedProxies proxies, KeyJwtCheck jwt) {
        this.policy = policy;
        this.proxies = proxies;
        this.jwt = jwt;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        KeySnapshot key = exchange.getRequiredAttribute(ExchangeAttributes.KEY);
        PlanSnapshot plan = exchange.getRequiredAttribute(ExchangeAttributes.PLAN);
        ChainCatalogue.Chain target = exchange.getRequiredAttribute(ExchangeAttributes.CHAIN);
        JsonRpcEnvelope envelope = exchange.getRequiredAttribute(ExchangeAttributes.ENVELOPE);
        byte[] body = exchange.getRequiredAttribute(ExchangeAttributes.BODY);

        if (!jwt.allows(key, bearerToken(exchange))) {
            return JsonRpcResponses.reject(exchange, JsonRpcErrorCode.UNAUTHORIZED, envelope.wholeRequestId(), null);
        }
        String origin = exchange.getRequest().getHeaders().getOrigin();
        Optional<String> refused = policy.refuseRequest(key, plan, target.id(), origin, clientAddress(exchange));
        if (refused.isPresent()) {
            return JsonRpcResponses.reject(exchange, JsonRpcErrorCode.FORBIDDEN, envelope.wholeRequestId(),
                    refused.get());
        }
        if (origin != null) {
            HttpHeaders headers = exchange.getResponse().getHeaders();
            headers.setAccessControlAllowOrigin(origin);
            headers.set(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, CorsPreflightFilter.EXPOSED_HEADERS);
            headers.add(HttpHeaders.VARY, HttpHeaders.ORIGIN);
        }
        if (plan.maxBodyBytes() > 0 && body.length > plan.maxBodyBytes()) {
            return JsonRpcResponses.reject(exchange, JsonRpcErrorCode.BODY_TOO_LARGE, envelope.wholeRequestId(),
                    "at most " + plan.maxBodyBytes() + " bytes on plan " + plan.name());
        }
        if (envelope.batch() && plan.maxBatchSize() > 0 && envelope.calls().size() > plan.maxBatchSize()) {
            return JsonRpcResponses.reject(exchange, JsonRpcErrorCode.LIMIT_EXCEEDED, envelope.wholeRequestId(),
                    "batch larger than " + plan.maxBatchSize() + " calls on plan " + plan.name());
        }
        return refuseMethods(exchange, key, plan, target, envelope)
            .orElseGet(() -> chain.filter(exchange));
    }

    private Optional<Mono<Void>> refuseMethods(ServerWebExchange exchange, KeySnapshot key, PlanSnapshot plan,
            ChainCatalogue.Chain target, JsonRpcEnvelope envelope) {
        String family = target.family().name().toLowerCase(Locale.ROOT);
        if (!envelope.batch()) {
            JsonRpcCall call = envelope.calls().get(0);
            return policy.refuseMethod(key, plan, family, call.method())
                .map(why -> JsonRpcResponses.reject(exchange, JsonRpcErrorCode.METHOD_NOT_ALLOWED, call.id(), why));
        }
        List<JsonRpcRefusal> refusals = exchange.getAttribute(ExchangeAttributes.REFUSALS);
        List<JsonRpcRefusal> added = new ArrayList<>();
        for (JsonRpcCall call : envelope.calls()) {
            if (call.valid()) {
                policy.refuseMethod(key, plan, family, call.method())
                    .ifPresent(why -> added.add(new JsonRpcRefusal(call, JsonRpcErrorCode.METHOD_NOT_ALLOWED, why)));
            }
        }
        if (!added.isEmpty()) {
            refusals.addAll(added);
        }
        return Optional.empty();
    }

    /** The JWT of a JWT-secured key: {@code Authorization: Bearer}, unless that header carried the key itself. */
    private static String bearerToken(ServerWebExchange exchange) {
        String authorization = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).trim();
        return ApiKeyFormat.isWellFormed(token) ? null : token;
    }

    private InetAddress clientAddress(ServerWebExchange exchange) {
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        InetAddress peer = remote == null ? null : remote.getAddress();
        return proxies.clientAddress(peer, exchange.getRequest().getHeaders().getFirst("X-Forwarded-For"));
    }
}
