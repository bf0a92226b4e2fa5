package dev.relaygate.controlplane.portal;

import java.net.URI;

import io.swagger.v3.oas.annotations.Hidden;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.relaygate.controlplane.web.ApiException;
import reactor.core.publisher.Mono;

/**
 * Serves the customer portal: its page at {@code /portal/} and the public configuration the page reads first. The
 * page's scripts and styles are static resources ({@code classpath:/static/portal/}), built from
 * {@code control-plane/portal/} by the Maven build.
 */
@RestController
@Tag(name = "portal")
public final class PortalController {

    static final String INDEX = "static/portal/index.html";

    private final PortalConfig config;

    public PortalController(PortalProperties properties) {
        this.config = PortalConfig.of(properties);
    }

    @GetMapping(path = "/portal/config", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "The customer portal's sign-in configuration (public, no token)")
    public PortalConfig config() {
        return config;
    }

    @Hidden
    @GetMapping("/portal")
    public ResponseEntity<Void> slash() {
        return ResponseEntity.status(HttpStatus.MOVED_PERMANENTLY).location(URI.create("/portal/")).build();
    }

    @Hidden
    @GetMapping(path = "/portal/", produces = MediaType.TEXT_HTML_VALUE)
    public Mono<ResponseEntity<Resource>> index() {
        Resource page = new ClassPathResource(INDEX);
        if (!page.exists()) {
            return Mono.error(ApiException.notFound("The portal page (not built into this control plane)"));
        }
        // The page names its hashed scripts; it must be fetched again after a deployment, the scripts need not.
        return Mono.just(ResponseEntity.ok().cacheControl(CacheControl.noCache()).contentType(MediaType.TEXT_HTML)
            .body(page));
    }
}
