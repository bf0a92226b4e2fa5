package dev.relaygate.controlplane.key;

import java.util.regex.Pattern;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

import dev.relaygate.controlplane.propagation.SnapshotPublisher;
import dev.relaygate.controlplane.security.AuthenticationFilter;
import dev.relaygate.controlplane.web.ApiException;
import io.swagger.v3.oas.annotations.Hidden;
import reactor.core.publisher.Mono;

/**
 * The gateways' fallback when Redis has no key snapshot: reads Postgres, re-publishes to Redis, answers the
 * snapshot JSON. Authenticated by the service token only ({@link AuthenticationFilter}).
 */
@Hidden
@RestController
@RequestMapping(path = "/internal/v1", produces = MediaType.APPLICATION_JSON_VALUE)
public class KeySnapshotController {

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private final ApiKeyRepository keys;

    private final KeySnapshots snapshots;

    private final SnapshotPublisher publisher;

    public KeySnapshotController(ApiKeyRepository keys, KeySnapshots snapshots, SnapshotPublisher publisher) {
        this.keys = keys;
        this.snapshots = snapshots;
        this.publisher = publisher;
    }

    @GetMapping("/key-snapshots/{hash}")
    public Mono<String> keySnapshot(@PathVariable String hash, ServerWebExchange exchange) {
        AuthenticationFilter.requireService(exchange);
        if (!SHA256_HEX.matcher(hash).matches()) {
            return Mono.error(ApiException.notFound("Key snapshot"));
        }
        return keys.findByHash(hash)
            .map(key -> snapshots.forHash(key, hash))
            .flatMap(snapshot -> publisher.refresh(snapshot).thenReturn(snapshot.payload()))
            .switchIfEmpty(Mono.error(() -> ApiException.notFound("Key snapshot")));
    }
}
