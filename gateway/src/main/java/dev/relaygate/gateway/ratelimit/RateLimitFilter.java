package dev.relaygate.gateway.ratelimit;

import java.util.List;
import java.util.Locale;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import dev.relaygate.gateway.auth.KeySnapshot;
import dev.relaygate.gateway.auth.PlanSnapshot;
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
 * The hot path's rate-limit step: prices the calls that will be relayed ({@link MethodWeights}), asks the
 * {@link RateLimiter} for them, and turns its decision into the {@code RateLimit-*} headers of the answer, or into
 * HTTP 429 with {@code Retry-After} and a JSON-RPC -32005 error whose {@code data} carries the delay. Requests
 * with nothing to relay (every call of a batch refused already) cost nothing and pass.
 */
public final class RateLimitFilter implements GatewayFilter {

    public static final String LIMIT_HEADER = "RateLimit-Limit";

    public static final String REMAINING_HEADER = "RateLimit-Remaining";

    public static final String RESET_HEADER = "RateLimit-Reset";

    private final RateLimiter limiter;

    private final MethodWeights weights;

    public RateLimitFilter(RateLimiter limiter, MethodWeights weights) {
        this.limiter = limiter;
        this.weights = weights;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        JsonRpcEnvelope envelope = exchange.getRequiredAttribute(ExchangeAttributes.ENVELOPE);
        List<JsonRpcRefusal> refusals = exchange.getAttributeOrDefault(ExchangeAttributes.REFUSALS, List.of());
        List<JsonRpcCall> relayed = JsonRpcBatches.relayed(envelope, refusals);
        if (relayed.isEmpty()) {
            return chain.filter(exchange);
        }
        KeySnapshot key = exchange.getRequiredAttribute(ExchangeAttributes.KEY);
        PlanSnapshot plan = exchange.getRequiredAttribute(ExchangeAttributes.PLAN);
        ChainCatalogue.Chain target = exchange.getRequiredAttribute(ExchangeAttributes.CHAIN);
        long cost = weights.cost(target.family().name().toLowerCase(Locale.ROOT),
                relayed.stream().map(JsonRpcCall::method).toList());
        return limiter.consume(key.organizationId(), policyOf(plan), cost)
            .flatMap(decision -> {
                HttpHeaders headers = exchange.getResponse().getHeaders();
                headers.set(LIMIT_HEADER, Long.toString(decision.limit()));
                headers.set(REMAINING_HEADER, Long.toString(decision.remaining()));
                headers.set(RESET_HEADER, Long.toString(decision.resetSeconds()));
                if (decision.allowed()) {
                    return chain.filter(exchange);
                }
                long retryAfter = decision.retryAfterSeconds();
                headers.set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
                return JsonRpcResponses.write(exchange, JsonRpcErrorCode.RATE_LIMITED.status(), JsonRpcResponses.JSON,
                        JsonRpcErrors.errorWithJsonData(JsonRpcErrorCode.RATE_LIMITED, envelope.wholeRequestId(),
                                "{\"retryAfterSeconds\":" + retryAfter + "}"));
            });
    }

    /** The plan's limits as the limiter takes them. */
    static RateLimitPolicy policyOf(PlanSnapshot plan) {
        return new RateLimitPolicy(plan.computeUnitsPerSecond(), plan.burstComputeUnits(),
                plan.computeUnitsPerMinute(), plan.version());
    }
}
