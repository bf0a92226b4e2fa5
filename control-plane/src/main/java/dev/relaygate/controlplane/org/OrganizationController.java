package dev.relaygate.controlplane.org;

import java.util.UUID;

import jakarta.validation.Valid;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.relaygate.controlplane.idempotency.IdempotencyKey;
import dev.relaygate.controlplane.plan.AssignPlanRequest;
import dev.relaygate.controlplane.security.Caller;
import dev.relaygate.controlplane.web.Page;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import reactor.core.publisher.Mono;

/** REST endpoints of organizations. */
@Tag(name = "Organizations")
@RestController
@RequestMapping("/v1/organizations")
public class OrganizationController {

    private final OrganizationService service;

    public OrganizationController(OrganizationService service) {
        this.service = service;
    }

    @Operation(summary = "Create an organization; the caller becomes its owner")
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    public Mono<OrganizationView> create(Caller caller,
            @RequestHeader(name = IdempotencyKey.HEADER, required = false) String idempotencyKey,
            @Valid @RequestBody CreateOrganizationRequest request) {
        return service.create(caller, request,
                IdempotencyKey.of(caller.subject(), "organization.create", idempotencyKey, request));
    }

    @Operation(summary = "List the organizations the caller belongs to, newest first")
    @GetMapping
    public Mono<Page<OrganizationView>> listMine(Caller caller, @RequestParam(required = false) String cursor,
            @RequestParam(required = false) Integer limit, @RequestParam(required = false) String name) {
        return service.listMine(caller, cursor, limit, name);
    }

    @Operation(summary = "Read an organization")
    @GetMapping("/{orgId}")
    public Mono<OrganizationView> get(Caller caller, @PathVariable UUID orgId) {
        return service.get(caller, orgId);
    }

    @Operation(summary = "Rename an organization (owner, admin)")
    @PatchMapping("/{orgId}")
    public Mono<OrganizationView> update(Caller caller, @PathVariable UUID orgId,
            @Valid @RequestBody UpdateOrganizationRequest request) {
        return service.rename(caller, orgId, request);
    }

    @Operation(summary = "Put an organization on a plan (platform administrators)")
    @PutMapping("/{orgId}/plan")
    public Mono<OrganizationView> assignPlan(Caller caller, @PathVariable UUID orgId,
            @Valid @RequestBody AssignPlanRequest request) {
        return service.assignPlan(caller, orgId, request);
    }
}
