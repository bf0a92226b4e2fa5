package dev.relaygate.controlplane.security;

import org.springframework.core.MethodParameter;
import org.springframework.web.reactive.BindingContext;
import org.springframework.web.reactive.result.method.HandlerMethodArgumentResolver;
import org.springframework.web.server.ServerWebExchange;

import dev.relaygate.controlplane.web.ApiException;
import dev.relaygate.controlplane.web.RequestIds;
import reactor.core.publisher.Mono;

/** Lets a handler take a {@link Caller} parameter: the actor {@link AuthenticationFilter} verified. */
public final class CallerArgumentResolver implements HandlerMethodArgumentResolver {

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return Caller.class.equals(parameter.getParameterType());
    }

    @Override
    public Mono<Object> resolveArgument(MethodParameter parameter, BindingContext context,
            ServerWebExchange exchange) {
        Actor actor = exchange.getAttribute(AuthenticationFilter.ACTOR_ATTRIBUTE);
        if (actor == null) {
            return Mono.error(ApiException.unauthorized("A bearer token is required"));
        }
        return Mono.just(new Caller(actor, RequestIds.of(exchange)));
    }
}
