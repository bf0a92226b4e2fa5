package dev.relaygate.controlplane.plan;

import java.util.UUID;

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
 * The gateways' fallback when Redis has no plan snapshot: reads Postgres, re-publishes to Redis, answers the
 * snapshot JSON. Authenticated by the service token only ({@link AuthenticationFilter}).
 */
@Hidden
@RestController
@RequestMapping(path = "/internal/v1", produces = MediaType.APPLICATION_JSON_VALUE)
public class PlanSnapshotController {

    private final PlanSnapshots snapshots;

    private final SnapshotPublisher publisher;

    public PlanSnapshotController(PlanSnapshots snapshots, SnapshotPublisher publisher) {
        this.snapshots = snapshots;
        this.publisher = publisher;
    }

    @GetMapping("/plan-snapshots/{planId}")
    public Mono<String> planSnapshot(@PathVariable String planId, ServerWebExchange exchange) {
        AuthenticationFilter.requireService(exchange);
        UUID id;
        try {
            id = UUID.fromString(planId);
        }
        catch (IllegalArgumentException e) {
            return Mono.error(ApiException.notFound("Plan snapshot"));
        }
        return snapshots.find(id)
            .flatMap(snapshot -> publisher.refresh(snapshot).thenReturn(snapshot.payload()))
            .switchIfEmpty(Mono.error(() -> ApiException.notFound("Plan snapshot")));
    }
}
