package dev.relaygate.gateway.observability;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
/**
 * Runs for every request the Spring application serves (everything but the JSON-RPC endpoint, which sets the same
 * headers itself): gives it a request id (echoed in {@code X-Request-Id} and kept in {@link RequestIds#ATTRIBUTE}
 * for log lines), and marks every answer
 * {@code Cache-Control: no-store} (answers are per key and per block) and {@code X-Content-Type-Options: nosniff}.
 */
public final class ResponseHygieneFilter implements WebFilter, Ordered {

    public static final String CACHE_CONTROL = "no-store";

    public static final String CONTENT_TYPE_OPTIONS_HEADER = "X-Content-Type-Options";

    public static final String CONTENT_TYPE_OPTIONS = "nosniff";

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String id = RequestIds.accept(exchange.getRequest().getHeaders().getFirst(RequestIds.HEADER));
        exchange.getAttributes().put(RequestIds.ATTRIBUTE, id);
        HttpHeaders headers = exchange.getResponse().getHeaders();
        headers.set(RequestIds.HEADER, id);
        headers.set(HttpHeaders.CACHE_CONTROL, CACHE_CONTROL);
        headers.set(CONTENT_TYPE_OPTIONS_HEADER, CONTENT_TYPE_OPTIONS);
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
