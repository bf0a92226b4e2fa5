package dev.relaygate.controlplane.billing;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import org.springframework.stereotype.Service;

import dev.relaygate.controlplane.member.MemberAccess;
import dev.relaygate.controlplane.member.Role;
import dev.relaygate.controlplane.org.OrganizationRepository;
import dev.relaygate.controlplane.plan.PlanRepository;
import dev.relaygate.controlplane.security.Caller;
import dev.relaygate.controlplane.web.ApiException;
import dev.relaygate.controlplane.web.Page;
import reactor.core.publisher.Mono;

/**
 * What owners and billing admins do with billing: read the overview, start a Checkout, open the Billing Portal,
 * list invoices. Authorization comes first (strangers 404, other roles 403), then billing must be configured
 * (503 otherwise). An organization gets its Stripe customer on first need.
 */
@Service
public final class BillingService {

    private static final Pattern INVOICE_ID = Pattern.compile("in_[A-Za-z0-9]{1,250}");

    private final MemberAccess access;

    private final OrganizationRepository organizations;

    private final PlanRepository plans;

    private final BillingRepository billing;

    private final StripeApi stripe;

    private final BillingProperties properties;

    private final Clock clock;

    public BillingService(MemberAccess access, OrganizationRepository organizations, PlanRepository plans,
            BillingRepository billing, StripeApi stripe, BillingProperties properties, Clock clock) {
        this.access = access;
        this.organizations = organizations;
        this.plans = plans;
        this.billing = billing;
        this.stripe = stripe;
        this.properties = properties;
        this.clock = clock;
    }

    public Mono<BillingView> overview(Caller caller, UUID orgId) {
        return authorized(caller, orgId)
            .then(organizations.find(orgId))
            .flatMap(org -> plans.find(org.planId()).flatMap(plan -> billing.subscription(orgId)
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(s -> unitsThisPeriod(orgId, s.orElse(null))
                    .map(units -> new BillingView(orgId, plan.id(), plan.name(), s.map(this::view).orElse(null),
                            units)))));
    }

    /**
     * Compute units so far in the current period, read from {@code usage_daily}: from the UTC day the subscription's
     * current period started (or, without a subscription in its period, the first of this UTC month) to today
     * included. Days are whole UTC days, so a period starting mid-day counts that whole day.
     */
    private Mono<Long> unitsThisPeriod(UUID orgId, BillingSubscription subscription) {
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        boolean inPeriod = subscription != null && subscription.currentPeriodStart() != null
                && !subscription.currentPeriodStart().isAfter(now)
                && (subscription.currentPeriodEnd() == null || subscription.currentPeriodEnd().isAfter(now));
        LocalDate from = inPeriod ? LocalDate.ofInstant(subscription.currentPeriodStart(), ZoneOffset.UTC)
                : today.withDayOfMonth(1);
        return billing.computeUnits(orgId, from, today.plusDays(1));
    }

    /** A Checkout Session URL for subscribing to a plan; {@code attempt} names the client's attempt. */
    public Mono<RedirectView> checkout(Caller caller, UUID orgId, CheckoutRequest request, String attempt) {
        return authorized(caller, orgId)
            .then(billing.subscription(orgId))
            .filter(s -> s.live() && !"incomplete".equals(s.status()))
            .flatMap(s -> Mono.<RedirectView>error(ApiException.conflict(
                    "The organization already has a subscription; change plans in the billing portal")))
            .switchIfEmpty(Mono.defer(() -> plans.find(request.planId())
                .filter(plan -> !plan.archived())
                .switchIfEmpty(Mono.error(() -> ApiException.invalidField("planId", "is not a live plan")))
                .filter(plan -> plan.stripePriceId() != null)
                .switchIfEmpty(Mono.error(() -> ApiException.invalidField("planId", "has no Stripe price")))
                .flatMap(plan -> customer(orgId).flatMap(customer -> stripe.createCheckoutSession(orgId, customer,
                        plan.id(), plan.stripePriceId(), BillingNames.checkoutKey(orgId, plan.id(), attempt))))
                .map(RedirectView::new)));
    }

    public Mono<RedirectView> portal(Caller caller, UUID orgId, String attempt) {
        return authorized(caller, orgId)
            .then(customer(orgId))
            .flatMap(customer -> stripe.createPortalSession(customer, BillingNames.portalKey(orgId, attempt)))
            .map(RedirectView::new);
    }

    /** The organization's invoices, newest first; the cursor is the last invoice id of the previous page. */
    public Mono<Page<InvoiceView>> invoices(Caller caller, UUID orgId, String cursor, Integer limit) {
        return Mono.defer(() -> {
            if (cursor != null && !INVOICE_ID.matcher(cursor).matches()) {
                throw ApiException.invalidField("cursor", "is not a cursor of this list");
            }
            if (limit != null && (limit < 1 || limit > 100)) {
                throw ApiException.invalidField("limit", "must be between 1 and 100");
            }
            int size = limit == null ? 20 : limit;
            return authorized(caller, orgId)
                .then(billing.customerOf(orgId))
                .flatMap(customer -> stripe.invoices(customer, size, cursor))
                .map(page -> new Page<>(page.items(),
                        page.hasMore() && !page.items().isEmpty() ? page.items().getLast().id() : null))
                .defaultIfEmpty(new Page<>(List.of(), null));
        });
    }

    private Mono<Void> authorized(Caller caller, UUID orgId) {
        return access.require(caller, orgId, Role::canManageBilling, "manage billing")
            .flatMap(role -> properties.enabled() ? Mono.<Void>empty() : Mono.error(BillingProblems.notConfigured()));
    }

    /** The organization's Stripe customer, created on first need (one per organization: see the key). */
    private Mono<String> customer(UUID orgId) {
        return billing.customerOf(orgId)
            .switchIfEmpty(Mono.defer(() -> organizations.find(orgId)
                .switchIfEmpty(Mono.error(() -> ApiException.notFound("Organization")))
                .flatMap(org -> stripe.createCustomer(orgId, org.name()))
                .flatMap(created -> billing.linkCustomer(orgId, created))));
    }

    private BillingView.SubscriptionView view(BillingSubscription s) {
        return new BillingView.SubscriptionView(s.subscriptionId(), s.status(), s.paidPlanId(),
                s.currentPeriodStart(), s.currentPeriodEnd(), s.cancelAtPeriodEnd(), s.pastDueSince(),
                EffectivePlan.graceEnd(s, properties.pastDueGrace()));
    }
}
