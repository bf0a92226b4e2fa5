package dev.relaygate.controlplane.org;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;

import dev.relaygate.controlplane.audit.AuditEntry;
import dev.relaygate.controlplane.audit.AuditLog;
import dev.relaygate.controlplane.member.MemberAccess;
import dev.relaygate.controlplane.member.Role;
import dev.relaygate.controlplane.plan.Plan;
import dev.relaygate.controlplane.security.Caller;
import dev.relaygate.controlplane.web.ApiException;
import reactor.core.publisher.Mono;

/** Organizations: creation (the creator becomes owner), reading. */
@Service
public final class OrganizationService {

    private final OrganizationRepository organizations;

    private final MemberAccess access;

    private final AuditLog audit;

    private final TransactionalOperator tx;

    private final Clock clock;

    public OrganizationService(OrganizationRepository organizations, MemberAccess access, AuditLog audit,
            TransactionalOperator tx, Clock clock) {
        this.organizations = organizations;
        this.access = access;
        this.audit = audit;
        this.tx = tx;
        this.clock = clock;
    }

    public Mono<OrganizationView> create(Caller caller, CreateOrganizationRequest request) {
        Instant now = Instant.now(clock).truncatedTo(ChronoUnit.MICROS);
        UUID id = UUID.randomUUID();
        Mono<OrganizationView> work = organizations.upsertUser(caller.subject(), caller.actor().email(), now)
            .then(organizations.insert(id, request.name().strip(), Plan.FREE_PLAN_ID, now))
            .flatMap(org -> organizations.insertMembership(id, caller.subject(), Role.OWNER.wire(), caller.subject(),
                    now).thenReturn(OrganizationView.of(org, Role.OWNER)))
            .flatMap(view -> audit.append(new AuditEntry(id, caller.subject(), "organization.create",
                    "organization", id.toString(), null, view, caller.requestId())).thenReturn(view));
        return tx.transactional(work);
    }

    public Mono<OrganizationView> get(Caller caller, UUID id) {
        return access.roleOf(caller, id)
            .flatMap(role -> organizations.find(id).map(org -> OrganizationView.of(org, role)))
            .switchIfEmpty(Mono.error(() -> ApiException.notFound("Organization")));
    }
}
