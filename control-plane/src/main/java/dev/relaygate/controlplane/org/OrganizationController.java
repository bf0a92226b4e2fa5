package dev.relaygate.controlplane.org;

import java.util.UUID;

import jakarta.validation.Valid;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.relaygate.controlplane.security.Caller;
import reactor.core.publisher.Mono;

/** REST endpoints of organizations. */
@RestController
@RequestMapping("/v1/organizations")
public class OrganizationController {

    private final OrganizationService service;

    public OrganizationController(OrganizationService service) {
        this.service = service;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    public Mono<OrganizationView> create(Caller caller, @Valid @RequestBody CreateOrganizationRequest request) {
        return service.create(caller, request);
    }

    @GetMapping("/{orgId}")
    public Mono<OrganizationView> get(Caller caller, @PathVariable UUID orgId) {
        return service.get(caller, orgId);
    }
}
