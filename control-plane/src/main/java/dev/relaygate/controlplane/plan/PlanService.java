package dev.relaygate.controlplane.plan;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import dev.relaygate.controlplane.auditlog.AuditEntry;
import dev.relaygate.controlplane.auditlog.AuditLog;
import dev.relaygate.controlplane.idempotency.Idempotency;
import dev.relaygate.controlplane.idempotency.IdempotencyKey;
import dev.relaygate.controlplane.propagation.Mutations;
import dev.relaygate.controlplane.propagation.Publication;
import dev.relaygate.controlplane.security.Caller;
import dev.relaygate.controlplane.web.ApiException;
import dev.relaygate.controlplane.web.ApiException.FieldProblem;
import dev.relaygate.controlplane.web.Page;
import dev.relaygate.controlplane.web.PageCursor;
import reactor.core.publisher.Mono;

/**
 * Plans: platform administrators create, edit and archive them; everyone may read the public live ones.
 * Editing a plan publishes its snapshot (one Redis write whatever the number of keys on it).
 */
@Service
public final class PlanService {

    private final PlanRepository plans;

    private final PlanSnapshots snapshots;

    private final AuditLog audit;

    private final Mutations mutations;

    private final Idempotency idempotency;

    private final Clock clock;

    private final List<String> methodClasses;

    public PlanService(PlanRepository plans, PlanSnapshots snapshots, AuditLog audit, Mutations mutations,
            Idempotency idempotency, Clock clock, PlanProperties properties) {
        this.methodClasses = List.copyOf(properties.methodClasses());
        this.plans = plans;
        this.snapshots = snapshots;
        this.audit = audit;
        this.mutations = mutations;
        this.idempotency = idempotency;
        this.clock = clock;
    }

    public Mono<PlanView> create(Caller caller, PlanRequest request, IdempotencyKey idempotencyKey) {
        return Mono.defer(() -> {
            requireAdmin(caller);
            checkMethodClasses(request);
            PlanRequest complete = withDefaults(request);
            checkComplete(complete);
            Instant now = now();
            Mono<Publication<PlanView>> create = plans.insert(UUID.randomUUID(), complete, now)
                .onErrorMap(DataIntegrityViolationException.class, e -> nameTaken())
                .flatMap(plan -> audit(caller, "plan.create", plan, null, plan)
                    .thenReturn(Publication.of(PlanView.of(plan), List.of(snapshots.snapshot(plan)))));
            return mutations.commit(idempotency.guard(idempotencyKey, PlanView.class, create));
        });
    }

    public Mono<PlanView> update(Caller caller, UUID planId, PlanRequest request) {
        return Mono.defer(() -> {
            requireAdmin(caller);
            checkMethodClasses(request);
            Instant now = now();
            Mono<Publication<PlanView>> change = existing(planId).flatMap(before -> {
                PlanRequest merged = merge(before, request);
                checkComplete(merged);
                return plans.update(planId, before.version(), merged, now)
                    .onErrorMap(DataIntegrityViolationException.class, e -> nameTaken())
                    .switchIfEmpty(Mono.error(() -> ApiException.conflict("The plan changed meanwhile; retry")))
                    .flatMap(after -> audit(caller, "plan.update", after, before, after)
                        .thenReturn(Publication.of(PlanView.of(after), List.of(snapshots.snapshot(after)))));
            });
            return mutations.commit(change);
        });
    }

    public Mono<PlanView> archive(Caller caller, UUID planId) {
        return Mono.defer(() -> {
            requireAdmin(caller);
            if (Plan.FREE_PLAN_ID.equals(planId)) {
                throw ApiException.conflict("The free plan is the default of new organizations and cannot be archived");
            }
            Mono<Publication<PlanView>> change = existing(planId).flatMap(before -> before.archived()
                    ? Mono.just(Publication.quiet(PlanView.of(before)))
                    : plans.archive(planId, now())
                        .flatMap(after -> audit(caller, "plan.archive", after, before, after)
                            .thenReturn(Publication.quiet(PlanView.of(after)))));
            return mutations.commit(change);
        });
    }

    public Mono<Page<PlanView>> list(Caller caller, String cursor, Integer limit, Boolean includeArchived) {
        return Mono.defer(() -> {
            PageCursor after = PageCursor.decode(cursor);
            int size = PageCursor.limit(limit);
            boolean admin = caller.actor().platformAdmin();
            return plans.page(after, size + 1, admin && Boolean.TRUE.equals(includeArchived), !admin)
                .collectList()
                .map(rows -> PageCursor.page(rows, size, p -> new PageCursor(p.createdAt(), p.id()), PlanView::of));
        });
    }

    /** A plan; others than platform administrators only see public, live plans. */
    public Mono<PlanView> get(Caller caller, UUID planId) {
        return existing(planId)
            .filter(plan -> caller.actor().platformAdmin() || (plan.publicPlan() && !plan.archived()))
            .switchIfEmpty(Mono.error(() -> ApiException.notFound("Plan")))
            .map(PlanView::of);
    }

    private Mono<Plan> existing(UUID planId) {
        return plans.find(planId).switchIfEmpty(Mono.error(() -> ApiException.notFound("Plan")));
    }

    private static void requireAdmin(Caller caller) {
        if (!caller.actor().platformAdmin()) {
            throw ApiException.forbidden("Only platform administrators manage plans");
        }
    }

    private static PlanRequest withDefaults(PlanRequest r) {
        return new PlanRequest(r.name(), r.computeUnitsPerSecond(), r.burstComputeUnits(), r.computeUnitsPerMinute(),
                r.monthlyComputeUnits(), r.maxBatchSize(), r.maxBodyBytes(),
                r.allowedChains() == null ? List.of() : r.allowedChains(),
                r.methodClasses() == null ? List.of("standard") : r.methodClasses(), r.stripePriceId(),
                r.stripeMeteredPriceId(), r.publicPlan() == null ? Boolean.TRUE : r.publicPlan());
    }

    private static PlanRequest merge(Plan p, PlanRequest r) {
        return new PlanRequest(r.name() != null ? r.name() : p.name(),
                r.computeUnitsPerSecond() != null ? r.computeUnitsPerSecond() : p.computeUnitsPerSecond(),
                r.burstComputeUnits() != null ? r.burstComputeUnits() : p.burstComputeUnits(),
                r.computeUnitsPerMinute() != null ? r.computeUnitsPerMinute() : p.computeUnitsPerMinute(),
                r.monthlyComputeUnits() != null ? r.monthlyComputeUnits() : p.monthlyComputeUnits(),
                r.maxBatchSize() != null ? r.maxBatchSize() : p.maxBatchSize(),
                r.maxBodyBytes() != null ? r.maxBodyBytes() : p.maxBodyBytes(),
                r.allowedChains() != null ? r.allowedChains() : p.allowedChains(),
                r.methodClasses() != null ? r.methodClasses() : p.methodClasses(),
                r.stripePriceId() != null ? r.stripePriceId() : p.stripePriceId(),
                r.stripeMeteredPriceId() != null ? r.stripeMeteredPriceId() : p.stripeMeteredPriceId(),
                r.publicPlan() != null ? r.publicPlan() : p.publicPlan());
    }

    /** Every class the request names is one the gateways know; stored plans are not re-checked. */
    private void checkMethodClasses(PlanRequest r) {
        if (r.methodClasses() == null) {
            return;
        }
        List<FieldProblem> problems = new ArrayList<>();
        for (int i = 0; i < r.methodClasses().size(); i++) {
            String named = r.methodClasses().get(i);
            if (named == null || !methodClasses.contains(named)) {
                problems.add(new FieldProblem("methodClasses[" + i + "]",
                        "must be one of " + String.join(", ", methodClasses)));
            }
        }
        if (!problems.isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "Invalid request", "The plan has invalid fields", problems);
        }
    }

    private static void checkComplete(PlanRequest r) {
        List<FieldProblem> problems = new ArrayList<>();
        require(problems, "name", r.name());
        require(problems, "computeUnitsPerSecond", r.computeUnitsPerSecond());
        require(problems, "burstComputeUnits", r.burstComputeUnits());
        require(problems, "computeUnitsPerMinute", r.computeUnitsPerMinute());
        require(problems, "monthlyComputeUnits", r.monthlyComputeUnits());
        require(problems, "maxBatchSize", r.maxBatchSize());
        require(problems, "maxBodyBytes", r.maxBodyBytes());
        if (problems.isEmpty() && r.burstComputeUnits() < r.computeUnitsPerSecond()) {
            problems.add(new FieldProblem("burstComputeUnits", "must be at least computeUnitsPerSecond"));
        }
        if (!problems.isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "Invalid request",
                    "The plan has invalid fields", problems);
        }
    }

    private static void require(List<FieldProblem> problems, String field, Object value) {
        if (value == null) {
            problems.add(new FieldProblem(field, "must not be null"));
        }
    }

    private static ApiException nameTaken() {
        return ApiException.conflict("A live plan with this name already exists");
    }

    private Mono<Void> audit(Caller caller, String action, Plan plan, Plan before, Plan after) {
        return audit.append(new AuditEntry(null, caller.subject(), action, "plan", plan.id().toString(),
                before == null ? null : PlanView.of(before), after == null ? null : PlanView.of(after),
                caller.requestId()));
    }

    private Instant now() {
        return Instant.now(clock).truncatedTo(ChronoUnit.MICROS);
    }
}
