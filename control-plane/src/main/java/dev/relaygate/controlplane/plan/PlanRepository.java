package dev.relaygate.controlplane.plan;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

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
