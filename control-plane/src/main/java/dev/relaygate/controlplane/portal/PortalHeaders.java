package dev.relaygate.controlplane.portal;

import java.net.URI;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.PathContainer;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import reactor.core.publisher.Mono;

/**
 * Security headers on everything under {@code /portal}: a Content Security Policy that lets the page load only its
 * own scripts and styles and talk only to this origin and the identity provider's token endpoint, no framing, no
 * MIME sniffing and no referrer (the sign-in callback URL carries a one-time code). OWASP Secure Headers.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
public final class PortalHeaders implements WebFilter {

    private final String contentSecurityPolicy;

    public PortalHeaders(PortalProperties properties) {
        this.contentSecurityPolicy = contentSecurityPolicy(PortalConfig.of(properties));
    }

    static String contentSecurityPolicy(PortalConfig config) {
        String connect = "'self'";
        if (config.signIn() != null) {
            connect += " " + origin(config.signIn().tokenEndpoint());
        }
        return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
                + "connect-src " + connect + "; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
                + "object-src 'none'";
    }

    private static String origin(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    /** First path segment as request mapping sees it (decoded, without ;parameters), as AuthenticationFilter does. */
    private static boolean isPortal(ServerWebExchange exchange) {
        for (PathContainer.Element element : exchange.getRequest().getPath().pathWithinApplication().elements()) {
            if (element instanceof PathContainer.PathSegment segment) {
                return segment.valueToMatch().equals("portal");
            }
        }
        return false;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (isPortal(exchange)) {
            HttpHeaders headers = exchange.getResponse().getHeaders();
            headers.set("Content-Security-Policy", contentSecurityPolicy);
            headers.set("X-Content-Type-Options", "nosniff");
            headers.set("Referrer-Policy", "no-referrer");
            headers.set("X-Frame-Options", "DENY");
            headers.set("Cross-Origin-Opener-Policy", "same-origin");
            headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
        }
        return chain.filter(exchange);
    }
}
