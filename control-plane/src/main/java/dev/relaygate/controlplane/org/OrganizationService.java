package dev.relaygate.controlplane.org;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import org.springframework.stereotype.Service;

import dev.relaygate.controlplane.auditlog.AuditEntry;
import dev.relaygate.controlplane.auditlog.AuditLog;
import dev.relaygate.controlplane.idempotency.Idempotency;
import dev.relaygate.controlplane.idempotency.IdempotencyKey;
import dev.relaygate.controlplane.key.ApiKeyRepository;
import dev.relaygate.controlplane.key.KeySnapshots;
import dev.relaygate.controlplane.member.MemberAccess;
import dev.relaygate.controlplane.member.MemberRepository;
import dev.relaygate.controlplane.member.Role;
import dev.relaygate.controlplane.member.Users;
import dev.relaygate.controlplane.plan.AssignPlanRequest;
import dev.relaygate.controlplane.plan.Plan;
import dev.relaygate.controlplane.plan.PlanRepository;
import dev.relaygate.controlplane.propagation.Mutations;
import dev.relaygate.controlplane.propagation.PendingSnapshot;
import dev.relaygate.controlplane.propagation.Publication;
import dev.relaygate.controlplane.security.Caller;
import dev.relaygate.controlplane.web.ApiException;
import dev.relaygate.controlplane.web.Page;
import dev.relaygate.controlplane.web.PageCursor;
import reactor.core.publisher.Mono;

/**
 * Organizations: create (the creator becomes owner, on the free plan), read, rename, list mine, and plan
 * assignment by platform administrators, which republishes the organization's key snapshots.
 */
@Service
public final class OrganizationService {

    private final OrganizationRepository organizations;

    private final PlanRepository plans;

    private final ApiKeyRepository keys;

    private final KeySnapshots keySnapshots;

    private final MemberAccess access;

    private final MemberRepository members;

    private final Users users;

    private final AuditLog audit;

    private final Mutations mutations;

    private final Idempotency idempotency;

    private final Clock clock;

    public OrganizationService(OrganizationRepository organizations, PlanRepository plans, ApiKeyRepository keys,
            KeySnapshots keySnapshots, MemberAccess access, MemberRepository members, Users users, AuditLog audit, Mutations mutations,
            Idempotency idempotency, Clock clock) {
        this.organizations = organizations;
        this.plans = plans;
        this.keys = keys;
        this.keySnapshots = keySnapshots;
        this.access = access;
        this.members = members;
        this.users = users;
        this.audit = audit;
        this.mutations = mutations;
        this.idempotency = idempotency;
        this.clock = clock;
    }

    public Mono<OrganizationView> create(Caller caller, CreateOrganizationRequest request,
            IdempotencyKey idempotencyKey) {
        return Mono.defer(() -> {
            Instant now = now();
            UUID id = UUID.randomUUID();
            Mono<Publication<OrganizationView>> create = users.upsert(caller.subject(), caller.actor().email(), now)
                .then(organizations.insert(id, request.name().strip(), Plan.FREE_PLAN_ID, now))
                .flatMap(org -> members.insert(id, caller.subject(), null, Role.OWNER, caller.subject(), now)
                    .thenReturn(OrganizationView.of(org, Role.OWNER)))
                .flatMap(view -> audit.append(new AuditEntry(id, caller.subject(), "organization.create",
                        "organization", id.toString(), null, view, caller.requestId()))
                    .thenReturn(Publication.quiet(view)));
            return mutations.commit(idempotency.guard(idempotencyKey, OrganizationView.class, create));
        });
    }

    public Mono<OrganizationView> get(Caller caller, UUID id) {
        return access.roleOf(caller, id)
            .flatMap(role -> organizations.find(id).map(org -> OrganizationView.of(org, role)))
            .switchIfEmpty(Mono.error(() -> ApiException.notFound("Organization")));
    }

    /** The caller's organizations (claiming pending e-mail invitations first). */
    public Mono<Page<OrganizationView>> listMine(Caller caller, String cursor, Integer limit, String nameContains) {
        return Mono.defer(() -> {
            PageCursor after = PageCursor.decode(cursor);
            int size = PageCursor.limit(limit);
            String name = nameContains == null || nameContains.isBlank() ? null : nameContains;
            return access.claimInvitations(caller)
                .thenMany(organizations.pageOfMember(caller.subject(), after, size + 1, name))
                .collectList()
                .map(rows -> PageCursor.page(rows, size,
                        m -> new PageCursor(m.organization().createdAt(), m.organization().id()),
                        m -> OrganizationView.of(m.organization(), m.role())));
        });
    }

    public Mono<OrganizationView> rename(Caller caller, UUID id, UpdateOrganizationRequest request) {
        return Mono.defer(() -> {
            Instant now = now();
            Mono<Publication<OrganizationView>> change = access.require(caller, id, Role::canUpdateOrganization,
                    "update the organization")
                .flatMap(role -> organizations.find(id).flatMap(before -> organizations
                    .rename(id, request.name().strip(), now)
                    .flatMap(after -> audit.append(new AuditEntry(id, caller.subject(), "organization.update",
                            "organization", id.toString(), OrganizationView.of(before, role),
                            OrganizationView.of(after, role), caller.requestId()))
                        .thenReturn(Publication.quiet(OrganizationView.of(after, role))))));
            return mutations.commit(change);
        });
    }

    /**
     * Puts an organization on a plan (platform administrators). Billing puts organizations on plans through
     * {@link #planChange}, the same path.
     */
    public Mono<OrganizationView> assignPlan(Caller caller, UUID id, AssignPlanRequest request) {
        return Mono.defer(() -> {
            // Platform administrators need not be members; members learn they lack the right (403), strangers
            // learn nothing (404).
            Mono<Void> authorized = caller.actor().platformAdmin() ? Mono.empty()
                    : access.roleOf(caller, id)
                        .then(Mono.error(() -> ApiException.forbidden("Only platform administrators assign plans")));
            Mono<Publication<OrganizationView>> change = authorized.then(organizations.find(id)
                .switchIfEmpty(Mono.error(() -> ApiException.notFound("Organization")))
                .then(plans.find(request.planId()))
                .filter(plan -> !plan.archived())
                .switchIfEmpty(Mono.error(() -> ApiException.invalidField("planId", "is not a live plan")))
                .flatMap(plan -> planChange(id, plan.id(), caller.subject(), caller.requestId())));
            return mutations.commit(change);
        });
    }

    /**
     * The change that puts an organization on a plan, to be committed by the caller through {@link Mutations}:
     * every key of the organization gets a new version and snapshot, since the snapshot names the plan (contract
     * rule 4), and the change is audited as {@code organization.plan}. No authorization here: callers decide.
     */
    public Mono<Publication<OrganizationView>> planChange(UUID id, UUID planId, String actor, String requestId) {
        return Mono.defer(() -> {
            Instant now = now();
            return organizations.find(id)
                .switchIfEmpty(Mono.error(() -> ApiException.notFound("Organization")))
                .flatMap(before -> organizations.assignPlan(id, planId, now)
                    .flatMap(after -> keys.touchOrganization(id, now)
                        .map(keySnapshots::of)
                        .<PendingSnapshot>flatMapIterable(List::copyOf)
                        .collectList()
                        .flatMap(pending -> audit.append(new AuditEntry(id, actor, "organization.plan",
                                "organization", id.toString(), OrganizationView.of(before, null),
                                OrganizationView.of(after, null), requestId))
                            .thenReturn(Publication.of(OrganizationView.of(after, null), pending)))));
        });
    }

    private Instant now() {
        return Instant.now(clock).truncatedTo(ChronoUnit.MICROS);
    }
}
