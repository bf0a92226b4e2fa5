package dev.relaygate.controlplane.propagation;

import java.util.UUID;
import java.util.regex.Pattern;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

import dev.relaygate.controlplane.key.ApiKeyRepository;
import dev.relaygate.controlplane.key.KeySnapshots;
import dev.relaygate.controlplane.plan.PlanSnapshots;
import dev.relaygate.controlplane.security.AuthenticationFilter;
import dev.relaygate.controlplane.web.ApiException;
import io.swagger.v3.oas.annotations.Hidden;
import reactor.core.publisher.Mono;

/**
 * The gateways' fallback when Redis has no snapshot: reads Postgres, re-publishes to Redis, answers the
 * snapshot JSON. Authenticated by the service token only ({@code AuthenticationFilter}).
 */
@Hidden
@RestController
@RequestMapping(path = "/internal/v1", produces = MediaType.APPLICATION_JSON_VALUE)
public class InternalSnapshotController {

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private final ApiKeyRepository keys;

    private final KeySnapshots keySnapshots;

    private final PlanSnapshots planSnapshots;

    private final SnapshotPublisher publisher;

    public InternalSnapshotController(ApiKeyRepository keys, KeySnapshots keySnapshots, PlanSnapshots planSnapshots,
            SnapshotPublisher publisher) {
        this.keys = keys;
        this.keySnapshots = keySnapshots;
        this.planSnapshots = planSnapshots;
        this.publisher = publisher;
    }

    @GetMapping("/key-snapshots/{hash}")
    public Mono<String> keySnapshot(@PathVariable String hash, ServerWebExchange exchange) {
        requireService(exchange);
        if (!SHA256_HEX.matcher(hash).matches()) {
            return Mono.error(ApiException.notFound("Key snapshot"));
        }
        return keys.findByHash(hash)
            .map(key -> keySnapshots.forHash(key, hash))
            .flatMap(this::republished)
            .switchIfEmpty(Mono.error(() -> ApiException.notFound("Key snapshot")));
    }

    @GetMapping("/plan-snapshots/{planId}")
    public Mono<String> planSnapshot(@PathVariable String planId, ServerWebExchange exchange) {
        requireService(exchange);
        UUID id;
        try {
            id = UUID.fromString(planId);
        }
        catch (IllegalArgumentException e) {
            return Mono.error(ApiException.notFound("Plan snapshot"));
        }
        return planSnapshots.find(id)
            .flatMap(this::republished)
            .switchIfEmpty(Mono.error(() -> ApiException.notFound("Plan snapshot")));
    }

    /** Second line of defence: the filter must have verified the service token for this very exchange. */
    private static void requireService(ServerWebExchange exchange) {
        if (!Boolean.TRUE.equals(exchange.getAttribute(AuthenticationFilter.SERVICE_ATTRIBUTE))) {
            throw ApiException.unauthorized("A valid service token is required");
        }
    }

    private Mono<String> republished(PendingSnapshot snapshot) {
        return publisher.refresh(snapshot).thenReturn(snapshot.payload());
    }
}
