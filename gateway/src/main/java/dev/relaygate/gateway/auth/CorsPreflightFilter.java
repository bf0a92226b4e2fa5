package dev.relaygate.gateway.auth;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Answers CORS preflights ({@code OPTIONS /v1/…}) for browser dApps. With the key in the path, the origin must
 * pass the key's allowlist (an empty allowlist allows any origin); with the key in a header, which a preflight
 * does not carry, the real request is checked instead. A web filter, because WebFlux answers preflights itself
 * before any route filter runs.
 */
public final class CorsPreflightFilter implements WebFilter, Ordered {

    private static final String ALLOWED_HEADERS = "Content-Type, Authorization, X-Api-Key, X-Request-Id";

    /** Answer headers a browser dApp may read: the request id and the rate-limit state. */
    static final String EXPOSED_HEADERS =
            "X-Request-Id, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After";

    private final KeyResolver resolver;

    public CorsPreflightFilter(KeyResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().value();
        if (exchange.getRequest().getMethod() != HttpMethod.OPTIONS || !path.startsWith("/v1/")) {
            return chain.filter(exchange);
        }
        String origin = exchange.getRequest().getHeaders().getOrigin();
        if (origin == null) {
            return answer(exchange, HttpStatus.FORBIDDEN, null);
        }
        String[] segments = path.substring("/v1/".length()).split("/", -1);
        if (segments.length == 1) {
            return answer(exchange, HttpStatus.NO_CONTENT, origin);
        }
        return resolver.resolve(segments[1])
            .map(resolved -> resolved.key().policy().allowedOrigins().isEmpty()
                    || KeyPolicy.allowsOrigin(resolved.key().policy().allowedOrigins(), origin))
            .defaultIfEmpty(false)
            .onErrorReturn(false)
            .flatMap(allowed -> allowed ? answer(exchange, HttpStatus.NO_CONTENT, origin)
                    : answer(exchange, HttpStatus.FORBIDDEN, null));
    }

    private static Mono<Void> answer(ServerWebExchange exchange, HttpStatus status, String allowedOrigin) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(status);
        HttpHeaders headers = response.getHeaders();
        headers.add(HttpHeaders.VARY, HttpHeaders.ORIGIN);
        if (allowedOrigin != null) {
            headers.setAccessControlAllowOrigin(allowedOrigin);
            headers.set(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, "POST, OPTIONS");
            headers.set(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS);
            headers.set(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED_HEADERS);
            headers.setAccessControlMaxAge(600);
        }
        return response.setComplete();
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 10;
    }
}
