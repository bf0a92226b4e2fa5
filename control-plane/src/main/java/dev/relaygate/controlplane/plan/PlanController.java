package dev.relaygate.controlplane.plan;

import java.util.UUID;

import jakarta.validation.Valid;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.relaygate.controlplane.idempotency.IdempotencyKey;
import dev.relaygate.controlplane.security.Caller;
import dev.relaygate.controlplane.web.Page;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import reactor.core.publisher.Mono;

/** REST endpoints of plans. */
@Tag(name = "Plans")
@RestController
@RequestMapping("/v1/plans")
public class PlanController {

    private final PlanService service;

    public PlanController(PlanService service) {
        this.service = service;
    }

    @Operation(summary = "Create a plan (platform administrators)")
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    public Mono<PlanView> create(Caller caller,
            @RequestHeader(name = IdempotencyKey.HEADER, required = false) String idempotencyKey,
            @Valid @RequestBody PlanRequest request) {
        return service.create(caller, request, IdempotencyKey.of(caller.subject(), "plan.create", idempotencyKey,
                request));
    }

    @Operation(summary = "List plans, newest first (public live plans; administrators see all)")
    @GetMapping
    public Mono<Page<PlanView>> list(Caller caller, @RequestParam(required = false) String cursor,
            @RequestParam(required = false) Integer limit, @RequestParam(required = false) Boolean includeArchived) {
        return service.list(caller, cursor, limit, includeArchived);
    }

    @Operation(summary = "Read a plan")
    @GetMapping("/{planId}")
    public Mono<PlanView> get(Caller caller, @PathVariable UUID planId) {
        return service.get(caller, planId);
    }

    @Operation(summary = "Edit a plan (platform administrators); gateways see it within a second")
    @PatchMapping("/{planId}")
    public Mono<PlanView> update(Caller caller, @PathVariable UUID planId, @Valid @RequestBody PlanRequest request) {
        return service.update(caller, planId, request);
    }

    @Operation(summary = "Archive a plan (platform administrators); organizations on it keep it")
    @PostMapping("/{planId}/archive")
    public Mono<PlanView> archive(Caller caller, @PathVariable UUID planId) {
        return service.archive(caller, planId);
    }
}
