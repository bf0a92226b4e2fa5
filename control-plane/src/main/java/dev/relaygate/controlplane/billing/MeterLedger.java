package dev.relaygate.controlplane.billing;

import java.time.Instant;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The slices of usage reported to the Stripe Billing Meter, in Postgres ({@code meter_reports},
 * {@code meter_watermark}). Planning fixes each slice's identifier and value before anything is sent; sending locks
 * one pending slice at a time with {@code SKIP LOCKED}, so several control planes never send the same slice at once.
 */
@Component
public final class MeterLedger {

    /**
     * The meter event identifier of a slice, defined here once: {@code {organizationId}-{yyyyMMdd'T'HH'Z'}} for the
     * hour as first reported, {@code …-{seq}} for late usage of that hour. At most 52 characters (Stripe allows 100).
     */
    private static final String IDENTIFIER = "u.organization_id::text || '-' || "
            + "to_char(u.hour at time zone 'UTC', 'YYYYMMDD\"T\"HH24\"Z\"') || "
            + "case when coalesce(r.next_seq, 0) = 0 then '' else '-' || r.next_seq end";

    private static final String PLAN = "insert into meter_reports (organization_id, hour, seq, identifier, "
            + "stripe_customer_id, compute_units, status, planned_at) "
            + "select u.organization_id, u.hour, coalesce(r.next_seq, 0), " + IDENTIFIER + ", o.stripe_customer_id, "
            + "u.compute_units - coalesce(r.reported, 0), 'pending', :now "
            + "from (select organization_id, hour, sum(compute_units) as compute_units from usage_hourly "
            + "where hour >= :from and hour < :to group by organization_id, hour) u "
            + "join organizations o on o.id = u.organization_id and o.stripe_customer_id is not null "
            + "left join (select organization_id, hour, sum(compute_units) as reported, max(seq) + 1 as next_seq "
            + "from meter_reports where hour >= :from and hour < :to group by organization_id, hour) r "
            + "on r.organization_id = u.organization_id and r.hour = u.hour "
            + "where u.compute_units > coalesce(r.reported, 0)";

    private static final String COLUMNS = "organization_id, hour, seq, identifier, stripe_customer_id, compute_units";

    private final DatabaseClient db;

    public MeterLedger(DatabaseClient db) {
        this.db = db;
    }

    /**
     * Takes the watermark for this transaction, or answers empty when another control plane holds it (then that one
     * is planning, and this round only sends). The value may be absent (never planned yet).
     */
    public Mono<Watermark> lockWatermark() {
        return db.sql("select planned_through from meter_watermark for update skip locked")
            .map(row -> new Watermark(row.get("planned_through", Instant.class)))
            .one();
    }

    /**
     * Plans the slices of the completed hours in [from, to): for each organization with a Stripe customer and each
     * hour, whatever its usage exceeds what was already planned becomes a new slice. Answers how many.
     */
    public Mono<Long> plan(Instant from, Instant to, Instant now) {
        return db.sql(PLAN)
            .bind("from", from)
            .bind("to", to)
            .bind("now", now)
            .fetch().rowsUpdated();
    }

    public Mono<Void> advanceWatermark(Instant to) {
        return db.sql("update meter_watermark set planned_through = greatest(coalesce(planned_through, :to), :to)")
            .bind("to", to)
            .fetch().rowsUpdated()
            .then();
    }

    /** Pending slices, oldest first, without locking them (each is locked when it is sent). */
    public Flux<String> pending(int limit) {
        return db.sql("select identifier from meter_reports where status = 'pending' "
                + "order by hour, organization_id, seq limit :limit")
            .bind("limit", limit)
            .map(row -> row.get("identifier", String.class))
            .all();
    }

    /**
     * Locks a slice for sending until the transaction ends; empty if it was sent meanwhile or another control plane
     * is sending it right now.
     */
    public Mono<MeterSlice> lockPending(String identifier) {
        return db.sql("select " + COLUMNS + " from meter_reports where identifier = :identifier "
                + "and status = 'pending' for update skip locked")
            .bind("identifier", identifier)
            .map(MeterLedger::fromRow)
            .one();
    }

    public Mono<Void> markSent(String identifier, Instant now) {
        return db.sql("update meter_reports set status = 'sent', sent_at = :now, attempts = attempts + 1, "
                + "last_error = null where identifier = :identifier")
            .bind("identifier", identifier)
            .bind("now", now)
            .fetch().rowsUpdated()
            .then();
    }

    /** Records a failed attempt; a refused slice is never sent again. {@code error} is a code, never a message. */
    public Mono<Void> markFailed(String identifier, String error, boolean refused) {
        return db.sql("update meter_reports set attempts = attempts + 1, last_error = :error, "
                + "status = case when :refused then 'refused' else status end "
                + "where identifier = :identifier and status = 'pending'")
            .bind("identifier", identifier)
            .bind("error", error)
            .bind("refused", refused)
            .fetch().rowsUpdated()
            .then();
    }

    /**
     * Up to when usage has been reported: the watermark, or the hour of the oldest slice still pending if that is
     * earlier. Empty before the first planning round.
     */
    public Mono<Instant> reportedThrough() {
        return db.sql("select least((select planned_through from meter_watermark), "
                + "(select min(hour) from meter_reports where status = 'pending')) as through")
            .map(row -> row.get("through", Instant.class))
            .one();
    }

    private static MeterSlice fromRow(Readable row) {
        return new MeterSlice(row.get("organization_id", UUID.class), row.get("hour", Instant.class),
                row.get("seq", Integer.class), row.get("identifier", String.class),
                row.get("stripe_customer_id", String.class), row.get("compute_units", Long.class));
    }

    /** The reporter's watermark: every completed hour before {@code plannedThrough} has been planned. */
    public record Watermark(Instant plannedThrough) {
    }
}
