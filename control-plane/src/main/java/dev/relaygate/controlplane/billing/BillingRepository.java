package dev.relaygate.controlplane.billing;

import java.time.Instant;
import java.time.LocalDate;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import dev.relaygate.controlplane.plan.Plan;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Stripe customers of organizations and the subscriptions that drive their plans, in Postgres. */
@Component
public final class BillingRepository {

    private static final String COLUMNS = "organization_id, stripe_subscription_id, stripe_customer_id, status, "
            + "stripe_price_id, paid_plan_id, current_period_start, current_period_end, cancel_at_period_end, "
            + "past_due_since, synced_at";

    private final DatabaseClient db;

    public BillingRepository(DatabaseClient db) {
        this.db = db;
    }

    /** The organization's Stripe customer id, empty if it has none yet. */
    public Mono<String> customerOf(UUID organizationId) {
        return db.sql("select stripe_customer_id from organizations where id = :id and stripe_customer_id is not null")
            .bind("id", organizationId)
            .map(row -> row.get("stripe_customer_id", String.class))
            .one();
    }

    /**
     * Records the organization's customer unless it already has one; answers the customer it has afterwards (two
     * first needs at once create one customer, since both send the same idempotency key).
     */
    public Mono<String> linkCustomer(UUID organizationId, String customerId) {
        return db.sql("update organizations set stripe_customer_id = :customer "
                + "where id = :id and stripe_customer_id is null")
            .bind("customer", customerId)
            .bind("id", organizationId)
            .fetch().rowsUpdated()
            .then(customerOf(organizationId));
    }

    public Mono<UUID> organizationOfCustomer(String customerId) {
        return db.sql("select id from organizations where stripe_customer_id = :customer")
            .bind("customer", customerId)
            .map(row -> row.get("id", UUID.class))
            .one();
    }

    /**
     * Serializes the processing of one customer's events across threads and control-plane instances until the
     * surrounding transaction ends, so an older read of a subscription never overwrites a newer one.
     */
    public Mono<Void> lockCustomer(String customerId) {
        return db.sql("select pg_advisory_xact_lock(hashtextextended(:customer, 16))")
            .bind("customer", customerId)
            .fetch().rowsUpdated()
            .then();
    }

    public Mono<BillingSubscription> subscription(UUID organizationId) {
        return db.sql("select " + COLUMNS + " from billing_subscriptions where organization_id = :org")
            .bind("org", organizationId)
            .map(BillingRepository::fromRow)
            .one();
    }

    public Mono<BillingSubscription> save(BillingSubscription s) {
        DatabaseClient.GenericExecuteSpec spec = db.sql("insert into billing_subscriptions (" + COLUMNS + ") values "
                + "(:org, :sub, :customer, :status, :price, :paidPlan, :periodStart, :periodEnd, :cancel, "
                + ":pastDueSince, :syncedAt) on conflict (organization_id) do update set "
                + "stripe_subscription_id = excluded.stripe_subscription_id, "
                + "stripe_customer_id = excluded.stripe_customer_id, status = excluded.status, "
                + "stripe_price_id = excluded.stripe_price_id, paid_plan_id = excluded.paid_plan_id, "
                + "current_period_start = excluded.current_period_start, "
                + "current_period_end = excluded.current_period_end, "
                + "cancel_at_period_end = excluded.cancel_at_period_end, past_due_since = excluded.past_due_since, "
                + "synced_at = excluded.synced_at returning " + COLUMNS)
            .bind("org", s.organizationId())
            .bind("sub", s.subscriptionId())
            .bind("customer", s.customerId())
            .bind("status", s.status())
            .bind("cancel", s.cancelAtPeriodEnd())
            .bind("syncedAt", s.syncedAt());
        spec = bindNullable(spec, "price", s.priceId(), String.class);
        spec = bindNullable(spec, "paidPlan", s.paidPlanId(), UUID.class);
        spec = bindNullable(spec, "periodStart", s.currentPeriodStart(), Instant.class);
        spec = bindNullable(spec, "periodEnd", s.currentPeriodEnd(), Instant.class);
        spec = bindNullable(spec, "pastDueSince", s.pastDueSince(), Instant.class);
        return spec.map(BillingRepository::fromRow).one();
    }

    /** Organizations still on a paid plan although their subscription's grace ended before {@code cutoff}. */
    public Flux<BillingSubscription> pastDueSince(Instant cutoff, int limit) {
        return db.sql("select " + COLUMNS.replaceAll("(\\w+)", "s.$1") + " from billing_subscriptions s "
                + "join organizations o on o.id = s.organization_id where s.status = 'past_due' "
                + "and s.past_due_since <= :cutoff and o.plan_id <> :free order by s.past_due_since limit :limit")
            .bind("cutoff", cutoff)
            .bind("free", Plan.FREE_PLAN_ID)
            .bind("limit", limit)
            .map(BillingRepository::fromRow)
            .all();
    }

    /** The organization's compute units on the UTC days in [from, to), from {@code usage_daily}. */
    public Mono<Long> computeUnits(UUID organizationId, LocalDate from, LocalDate to) {
        return db.sql("select coalesce(sum(compute_units), 0) as units from usage_daily "
                + "where organization_id = :org and day >= :from and day < :to")
            .bind("org", organizationId)
            .bind("from", from)
            .bind("to", to)
            .map(row -> ((Number) row.get("units")).longValue())
            .one();
    }

    public Mono<UUID> planOf(UUID organizationId) {
        return db.sql("select plan_id from organizations where id = :id")
            .bind("id", organizationId)
            .map(row -> row.get("plan_id", UUID.class))
            .one();
    }

    private static <T> DatabaseClient.GenericExecuteSpec bindNullable(DatabaseClient.GenericExecuteSpec spec,
            String name, T value, Class<T> type) {
        return value == null ? spec.bindNull(name, type) : spec.bind(name, value);
    }

    private static BillingSubscription fromRow(Readable row) {
        return new BillingSubscription(row.get("organization_id", UUID.class),
                row.get("stripe_subscription_id", String.class), row.get("stripe_customer_id", String.class),
                row.get("status", String.class), row.get("stripe_price_id", String.class),
                row.get("paid_plan_id", UUID.class), row.get("current_period_start", Instant.class),
                row.get("current_period_end", Instant.class),
                Boolean.TRUE.equals(row.get("cancel_at_period_end", Boolean.class)),
                row.get("past_due_since", Instant.class), row.get("synced_at", Instant.class));
    }
}
