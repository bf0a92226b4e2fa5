package dev.relaygate.gateway.usage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import dev.relaygate.gateway.auth.KeySnapshot;
import dev.relaygate.gateway.auth.PlanSnapshot;
import dev.relaygate.gateway.jsonrpc.JsonRpcBatches;
import dev.relaygate.gateway.jsonrpc.JsonRpcCall;
import dev.relaygate.gateway.jsonrpc.JsonRpcEnvelope;
import dev.relaygate.gateway.jsonrpc.JsonRpcRefusal;
import dev.relaygate.gateway.routing.ChainCatalogue;
import dev.relaygate.gateway.routing.ExchangeAttributes;

/**
 * The hot path's usage step, just before the relay: when the relay has answered, hands a {@link UsageRecord}
 * of the calls that went upstream to the {@link UsageRecorder}. Requests refused earlier never reach it, and
 * calls of a batch the gateway answered itself are left out, so only relayed calls are metered.
 */
public final class UsageFilter implements GatewayFilter {

    private final UsageRecorder recorder;

    private final Clock clock;

    public UsageFilter(UsageRecorder recorder, Clock clock) {
        this.recorder = recorder;
        this.clock = clock;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        List<String> methods = relayedMethods(exchange);
        if (methods.isEmpty()) {
            return chain.filter(exchange);
        }
        Instant at = clock.instant();
        long started = System.nanoTime();
        return chain.filter(exchange)
            .doFinally(signal -> recorder.record(record(exchange, methods, at, Duration.ofNanos(System.nanoTime() - started))));
    }

    private static UsageRecord record(ServerWebExchange exchange, List<String> methods, Instant at, Duration latency) {
        KeySnapshot key = exchange.getRequiredAttribute(ExchangeAttributes.KEY);
        PlanSnapshot plan = exchange.getRequiredAttribute(ExchangeAttributes.PLAN);
        ChainCatalogue.Chain target = exchange.getRequiredAttribute(ExchangeAttributes.CHAIN);
        HttpStatusCode status = exchange.getResponse().getStatusCode();
        return new UsageRecord(at, exchange.getAttribute(ExchangeAttributes.REQUEST_ID), key.organizationId(),
                key.keyId(), plan.planId(), target.id(), methods, status == null ? 0 : status.value(), latency);
    }

    /** The methods of the calls that will go upstream: those no earlier step refused, in order. */
    private static List<String> relayedMethods(ServerWebExchange exchange) {
        JsonRpcEnvelope envelope = exchange.getRequiredAttribute(ExchangeAttributes.ENVELOPE);
        List<JsonRpcRefusal> refusals = exchange.getAttributeOrDefault(ExchangeAttributes.REFUSALS, List.of());
        return JsonRpcBatches.relayed(envelope, refusals).stream().map(JsonRpcCall::method).toList();
    }
}
