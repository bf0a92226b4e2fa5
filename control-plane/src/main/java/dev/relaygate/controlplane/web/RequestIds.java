package dev.relaygate.controlplane.web;

import java.util.regex.Pattern;

import org.springframework.web.server.ServerWebExchange;

/**
 * The id of a request as problems and the audit log quote it: the caller's {@code X-Request-Id} when it is
 * a plausible id, otherwise the id the server gave the exchange.
 */
public final class RequestIds {

    public static final String HEADER = "X-Request-Id";

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,100}");

    private RequestIds() {
    }

    public static String of(ServerWebExchange exchange) {
        String supplied = exchange.getRequest().getHeaders().getFirst(HEADER);
        return supplied != null && SAFE.matcher(supplied).matches() ? supplied : exchange.getRequest().getId();
    }
}
