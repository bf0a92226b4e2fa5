package dev.relaygate.controlplane.plan;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import dev.relaygate.controlplane.web.PageCursor;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Plans in Postgres. */
@Component
public final class PlanRepository {

    static final String COLUMNS = """
            id, name, version, compute_units_per_second, burst_compute_units, compute_units_per_minute,
            monthly_compute_units, max_batch_size, max_body_bytes, allowed_chains, method_classes,
            stripe_price_id, stripe_metered_price_id, public, archived_at, created_at, updated_at""";

    private final DatabaseClient db;

    public PlanRepository(DatabaseClient db) {
        this.db = db;
    }

    public Mono<Plan> find(UUID id) {
        return db.sql("select " + COLUMNS + " from plans where id = :id")
            .bind("id", id)
            .map(PlanRepository::plan)
            .one();
    }

    public Mono<Plan> insert(UUID id, PlanRequest r, Instant now) {
        DatabaseClient.GenericExecuteSpec spec = db.sql("insert into plans (id, name, version, "
                + "compute_units_per_second, burst_compute_units, compute_units_per_minute, monthly_compute_units, "
                + "max_batch_size, max_body_bytes, allowed_chains, method_classes, stripe_price_id, "
                + "stripe_metered_price_id, public, created_at, updated_at) values (:id, :name, 1, :cups, :burst, "
                + ":cupm, :monthly, :batch, :body, :chains, :classes, :price, :meteredPrice, :public, :now, :now) "
                + "returning " + COLUMNS)
            .bind("id", id)
            .bind("now", now);
        return bind(spec, r).map(PlanRepository::plan).one();
    }

    /** Writes a plan's new values and bumps its version; empty if it changed since {@code expectedVersion}. */
    public Mono<Plan> update(UUID id, long expectedVersion, PlanRequest merged, Instant now) {
        DatabaseClient.GenericExecuteSpec spec = db.sql("update plans set name = :name, version = version + 1, "
                + "compute_units_per_second = :cups, burst_compute_units = :burst, compute_units_per_minute = :cupm, "
                + "monthly_compute_units = :monthly, max_batch_size = :batch, max_body_bytes = :body, "
                + "allowed_chains = :chains, method_classes = :classes, stripe_price_id = :price, "
                + "stripe_metered_price_id = :meteredPrice, public = :public, updated_at = :now "
                + "where id = :id and version = :version returning " + COLUMNS)
            .bind("id", id)
            .bind("version", expectedVersion)
            .bind("now", now);
        return bind(spec, merged).map(PlanRepository::plan).one();
    }

    public Mono<Plan> archive(UUID id, Instant now) {
        return db.sql("update plans set archived_at = coalesce(archived_at, :now), updated_at = :now where id = :id "
                + "returning " + COLUMNS)
            .bind("id", id)
            .bind("now", now)
            .map(PlanRepository::plan)
            .one();
    }

    /**
     * One page of plans, newest first.
     *
     * @param includeArchived whether archived plans are listed
     * @param onlyPublic      whether private plans are hidden
     */
    public Flux<Plan> page(PageCursor after, int limit, boolean includeArchived, boolean onlyPublic) {
        StringBuilder sql = new StringBuilder("select " + COLUMNS + " from plans where true");
        if (after != null) {
            sql.append(" and (created_at, id) < (:afterCreatedAt, :afterId)");
        }
        if (!includeArchived) {
            sql.append(" and archived_at is null");
        }
        if (onlyPublic) {
            sql.append(" and public");
        }
        sql.append(" order by created_at desc, id desc limit :limit");
        DatabaseClient.GenericExecuteSpec spec = db.sql(sql.toString()).bind("limit", limit);
        if (after != null) {
            spec = spec.bind("afterCreatedAt", after.createdAt()).bind("afterId", after.id());
        }
        return spec.map(PlanRepository::plan).all();
    }

    private static DatabaseClient.GenericExecuteSpec bind(DatabaseClient.GenericExecuteSpec spec, PlanRequest r) {
        spec = spec.bind("name", r.name().strip())
            .bind("cups", r.computeUnitsPerSecond())
            .bind("burst", r.burstComputeUnits())
            .bind("cupm", r.computeUnitsPerMinute())
            .bind("monthly", r.monthlyComputeUnits())
            .bind("batch", r.maxBatchSize())
            .bind("body", r.maxBodyBytes())
            .bind("chains", r.allowedChains().toArray(String[]::new))
            .bind("classes", r.methodClasses().toArray(String[]::new))
            .bind("public", r.publicPlan());
        spec = r.stripePriceId() == null ? spec.bindNull("price", String.class) : spec.bind("price", r.stripePriceId());
        return r.stripeMeteredPriceId() == null ? spec.bindNull("meteredPrice", String.class)
                : spec.bind("meteredPrice", r.stripeMeteredPriceId());
    }

    /**
     * The plan a Stripe price pays for: a live plan if one names the price, otherwise the most recently archived
     * one (organizations on an archived plan keep it).
     */
    public Mono<Plan> findByStripePrice(String priceId) {
        return db.sql("select " + COLUMNS + " from plans where stripe_price_id = :price "
                + "order by archived_at desc nulls first, created_at desc limit 1")
            .bind("price", priceId)
            .map(PlanRepository::plan)
            .one();
    }

    public Flux<Plan> live() {
        return db.sql("select " + COLUMNS + " from plans where archived_at is null order by created_at, id")
            .map(PlanRepository::plan)
            .all();
    }

    static Plan plan(Readable row) {
        return new Plan(row.get("id", UUID.class), row.get("name", String.class), row.get("version", Long.class),
                row.get("compute_units_per_second", Integer.class), row.get("burst_compute_units", Integer.class),
                row.get("compute_units_per_minute", Integer.class), row.get("monthly_compute_units", Long.class),
                row.get("max_batch_size", Integer.class), row.get("max_body_bytes", Integer.class),
                list(row.get("allowed_chains", String[].class)), list(row.get("method_classes", String[].class)),
                row.get("stripe_price_id", String.class), row.get("stripe_metered_price_id", String.class),
                Boolean.TRUE.equals(row.get("public", Boolean.class)), row.get("archived_at", Instant.class),
                row.get("created_at", Instant.class), row.get("updated_at", Instant.class));
    }

    static List<String> list(String[] values) {
        return values == null ? List.of() : List.of(values);
    }
}
