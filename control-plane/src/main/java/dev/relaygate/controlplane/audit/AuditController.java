package dev.relaygate.controlplane.audit;

import java.util.UUID;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.relaygate.controlplane.security.Caller;
import dev.relaygate.controlplane.web.Page;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import reactor.core.publisher.Mono;

/** REST endpoint of an organization's audit log. */
@Tag(name = "Audit log")
@RestController
public class AuditController {

    private final AuditService service;

    public AuditController(AuditService service) {
        this.service = service;
    }

    @Operation(summary = "List audit-log entries, newest first (owner, admin)")
    @GetMapping("/v1/organizations/{orgId}/audit-log")
    public Mono<Page<AuditRecord>> list(Caller caller, @PathVariable UUID orgId,
            @RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String action, @RequestParam(required = false) String targetId) {
        return service.list(caller, orgId, cursor, limit, action, targetId);
    }
}
