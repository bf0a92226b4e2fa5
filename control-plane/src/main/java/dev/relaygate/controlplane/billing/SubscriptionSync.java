package dev.relaygate.controlplane.billing;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.relaygate.controlplane.auditlog.AuditEntry;
import dev.relaygate.controlplane.auditlog.AuditLog;
import dev.relaygate.controlplane.org.OrganizationService;
import dev.relaygate.controlplane.plan.Plan;
import dev.relaygate.controlplane.plan.PlanRepository;
import dev.relaygate.controlplane.propagation.Mutations;
import dev.relaygate.controlplane.propagation.Publication;
import reactor.core.publisher.Mono;

/**
 * Brings an organization's subscription and plan in line with Stripe. A subscription is always re-read from
 * Stripe (never taken from a webhook body), under a per-customer advisory lock held for the whole transaction, so
 * events processed in any order, twice, or concurrently on several instances all end in Stripe's current state.
 * A plan change goes through {@link OrganizationService#planChange}, the path an administrator's assignment takes:
 * key snapshots are rewritten and announced before the webhook is acknowledged.
 */
@Component
public final class SubscriptionSync {

    private static final Logger log = LoggerFactory.getLogger(SubscriptionSync.class);

    private final StripeApi stripe;

    private final BillingRepository billing;

    private final PlanRepository plans;

    private final OrganizationService organizations;

    private final AuditLog audit;

    private final Mutations mutations;

    private final BillingProperties properties;

    private final Clock clock;

    public SubscriptionSync(StripeApi stripe, BillingRepository billing, PlanRepository plans,
            OrganizationService organizations, AuditLog audit, Mutations mutations, BillingProperties properties,
            Clock clock) {
        this.stripe = stripe;
        this.billing = billing;
        this.plans = plans;
        this.organizations = organizations;
        this.audit = audit;
        this.mutations = mutations;
        this.properties = properties;
        this.clock = clock;
    }

    /** Re-reads one subscription of a customer from Stripe, stores it and applies the plan it entitles to. */
    public Mono<Void> sync(String customerId, String subscriptionId, String requestId) {
        Mono<Publication<Boolean>> change = billing.lockCustomer(customerId)
            .then(billing.organizationOfCustomer(customerId))
            .flatMap(org -> stripe.subscription(subscriptionId)
                .flatMap(fresh -> billing.subscription(org)
                    .flatMap(existing -> store(org, fresh, existing, requestId))
                    .switchIfEmpty(Mono.defer(() -> store(org, fresh, null, requestId))))
                .flatMap(stored -> reconcile(stored, requestId)))
            .switchIfEmpty(Mono.fromSupplier(() -> {
                // Not ours (another integration on the same Stripe account) or not linked yet: nothing to apply.
                log.info("Stripe customer {} belongs to no organization; subscription {} ignored", customerId,
                        subscriptionId);
                return Publication.quiet(Boolean.FALSE);
            }));
        return mutations.commit(change).then();
    }

    /** Re-applies the stored subscription of an organization (the grace sweep), without asking Stripe. */
    public Mono<Void> reapply(BillingSubscription subscription, String requestId) {
        Mono<Publication<Boolean>> change = billing.lockCustomer(subscription.customerId())
            .then(billing.subscription(subscription.organizationId()))
            .flatMap(current -> reconcile(current, requestId))
            .defaultIfEmpty(Publication.quiet(Boolean.FALSE));
        return mutations.commit(change).then();
    }

    private Mono<BillingSubscription> store(UUID org, StripeSubscription fresh, BillingSubscription existing,
            String requestId) {
        boolean sameSubscription = existing != null && existing.subscriptionId().equals(fresh.id());
        if (existing != null && !sameSubscription && existing.live() && !BillingSubscription.live(fresh.status())) {
            // A late event about an older subscription that has ended must not displace the one in force.
            return Mono.just(existing);
        }
        Instant now = now();
        Instant pastDueSince = !"past_due".equals(fresh.status()) ? null
                : sameSubscription && existing.pastDueSince() != null ? existing.pastDueSince() : now;
        Mono<BillingSubscription> stored = fresh.priceId() == null ? save(org, fresh, null, pastDueSince, now)
                : plans.findByStripePrice(fresh.priceId())
                    .flatMap(plan -> save(org, fresh, plan.id(), pastDueSince, now))
                    .switchIfEmpty(Mono.defer(() -> {
                        log.warn("No plan names Stripe price {} (subscription {}); the organization keeps its plan",
                                fresh.priceId(), fresh.id());
                        return save(org, fresh, null, pastDueSince, now);
                    }));
        return stored
            .flatMap(saved -> changed(existing, saved) ? audit.append(new AuditEntry(org, BillingNames.ACTOR,
                    "billing.subscription", "stripe_subscription", saved.subscriptionId(), summary(existing),
                    summary(saved), requestId)).thenReturn(saved) : Mono.just(saved));
    }

    private Mono<BillingSubscription> save(UUID org, StripeSubscription fresh, UUID paidPlanId, Instant pastDueSince,
            Instant now) {
        return billing.save(new BillingSubscription(org, fresh.id(), fresh.customerId(), fresh.status(),
                fresh.priceId(), paidPlanId, fresh.currentPeriodStart(), fresh.currentPeriodEnd(),
                fresh.cancelAtPeriodEnd(), pastDueSince, now));
    }

    private Mono<Publication<Boolean>> reconcile(BillingSubscription subscription, String requestId) {
        return Mono.justOrEmpty(EffectivePlan.of(subscription, properties.pastDueGrace(), clock.instant()))
            .flatMap(target -> billing.planOf(subscription.organizationId())
                .filter(current -> !current.equals(target))
                .flatMap(current -> organizations.planChange(subscription.organizationId(), target,
                        BillingNames.ACTOR, requestId))
                .map(applied -> Publication.of(Boolean.TRUE, applied.snapshots())))
            .defaultIfEmpty(Publication.quiet(Boolean.FALSE));
    }

    private static boolean changed(BillingSubscription before, BillingSubscription after) {
        return before == null || !Objects.equals(before.subscriptionId(), after.subscriptionId())
                || !Objects.equals(before.status(), after.status())
                || !Objects.equals(before.paidPlanId(), after.paidPlanId())
                || before.cancelAtPeriodEnd() != after.cancelAtPeriodEnd();
    }

    private static Map<String, Object> summary(BillingSubscription s) {
        if (s == null) {
            return null;
        }
        return Map.of("subscriptionId", s.subscriptionId(), "status", s.status(),
                "paidPlanId", s.paidPlanId() == null ? "none" : s.paidPlanId().toString(),
                "cancelAtPeriodEnd", s.cancelAtPeriodEnd());
    }

    private Instant now() {
        return Instant.now(clock).truncatedTo(ChronoUnit.MICROS);
    }
}
