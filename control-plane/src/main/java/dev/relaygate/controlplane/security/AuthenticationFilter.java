package dev.relaygate.controlplane.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.PathContainer;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import dev.relaygate.controlplane.web.ApiException;
import reactor.core.publisher.Mono;

/**
 * Authenticates every request under {@code /v1/} with a user JWT and every request under {@code /internal/}
 * with the gateways' service token. The two credentials are never interchangeable: a user token is not the
 * service token, and the service token is not a JWT. Other paths (OpenAPI, Swagger UI) are public.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public final class AuthenticationFilter implements WebFilter {

    /** Exchange attribute holding the verified {@link Actor}. */
    public static final String ACTOR_ATTRIBUTE = AuthenticationFilter.class.getName() + ".actor";

    /** Exchange attribute present (TRUE) once the service token was verified. */
    public static final String SERVICE_ATTRIBUTE = AuthenticationFilter.class.getName() + ".service";

    private static final String BEARER = "Bearer ";

    private final UserTokenVerifier verifier;

    private final byte[] internalTokenDigest;

    public AuthenticationFilter(UserTokenVerifier verifier, InternalProperties internal) {
        this.verifier = verifier;
        this.internalTokenDigest = sha256(internal.token());
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String area = firstSegment(exchange);
        if (area.equals("internal")) {
            String token = bearer(exchange);
            // Digests have equal length, so the comparison time says nothing about the token's length either.
            if (token == null || !MessageDigest.isEqual(internalTokenDigest, sha256(token))) {
                return Mono.error(ApiException.unauthorized("A valid service token is required"));
            }
            exchange.getAttributes().put(SERVICE_ATTRIBUTE, Boolean.TRUE);
            return chain.filter(exchange);
        }
        if (area.equals("v1")) {
            String token = bearer(exchange);
            if (token == null) {
                return Mono.error(ApiException.unauthorized("A bearer token is required"));
            }
            return verifier.verify(token).flatMap(actor -> {
                exchange.getAttributes().put(ACTOR_ATTRIBUTE, actor);
                return chain.filter(exchange);
            });
        }
        return chain.filter(exchange);
    }

    /**
     * Second line of defence for a handler under {@code /internal/}: this filter must have verified the service
     * token for this very exchange.
     */
    public static void requireService(ServerWebExchange exchange) {
        if (!Boolean.TRUE.equals(exchange.getAttribute(SERVICE_ATTRIBUTE))) {
            throw ApiException.unauthorized("A valid service token is required");
        }
    }

    /**
     * The first path segment as request mapping sees it: percent-decoded and without {@code ;parameters}, so
     * {@code /internal;x/...} or {@code /%69nternal/...} cannot reach a handler without passing this filter.
     */
    private static String firstSegment(ServerWebExchange exchange) {
        for (PathContainer.Element element : exchange.getRequest().getPath().pathWithinApplication().elements()) {
            if (element instanceof PathContainer.PathSegment segment) {
                return segment.valueToMatch();
            }
        }
        return "";
    }

    private static String bearer(ServerWebExchange exchange) {
        String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (header == null || header.length() <= BEARER.length()
                || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        return header.substring(BEARER.length()).trim();
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
