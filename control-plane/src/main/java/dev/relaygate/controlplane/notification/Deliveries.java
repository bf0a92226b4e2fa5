package dev.relaygate.controlplane.notification;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import dev.relaygate.controlplane.web.PageCursor;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** {@code notification_deliveries}: claiming due deliveries, recording attempts, listing. */
@Component
public final class Deliveries {

    /** Longest last error kept. */
    static final int MAX_ERROR = 500;

    /**
     * Claims due deliveries: each is leased (its next attempt moved to the end of the lease and its attempt counted)
     * in one statement, so a delivery is sent by one control plane at a time ({@code SKIP LOCKED}) and without holding
     * a transaction or a connection while it is sent. A control plane that dies mid-send leaves the lease to expire,
     * and the delivery is sent again (receivers deduplicate by id).
     */
    private static final String CLAIM = "with due as (select id from notification_deliveries "
            + "where status = 'pending' and next_attempt_at <= :now order by next_attempt_at limit :limit "
            + "for update skip locked), "
            + "claimed as (update notification_deliveries d set attempts = d.attempts + 1, next_attempt_at = :lease "
            + "from due where d.id = due.id returning d.id, d.organization_id, d.payload, d.attempts) "
            + "select c.id, c.organization_id, c.payload, c.attempts, w.url, w.signing_secret "
            + "from claimed c left join notification_webhooks w on w.organization_id = c.organization_id";

    private static final String COLUMNS = "id, organization_id, subject_kind, subject_id, quota, period_start, "
            + "threshold, used, limit_units, payload, status, attempts, next_attempt_at, last_status, last_error, "
            + "created_at, delivered_at";

    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    private final DatabaseClient db;

    private final JsonMapper json;

    public Deliveries(DatabaseClient db, JsonMapper json) {
        this.db = db;
        this.json = json;
    }

    public Flux<Claimed> claim(Instant now, Instant leaseUntil, int limit) {
        return db.sql(CLAIM)
            .bind("now", now)
            .bind("lease", leaseUntil)
            .bind("limit", limit)
            .map(row -> new Claimed(row.get("id", UUID.class), row.get("organization_id", UUID.class),
                    row.get("payload", String.class), row.get("attempts", Integer.class), row.get("url", String.class),
                    row.get("signing_secret", String.class)))
            .all();
    }

    public Mono<Void> delivered(UUID id, int statusCode, Instant now) {
        return db.sql("update notification_deliveries set status = 'delivered', delivered_at = :now, "
                + "next_attempt_at = null, last_status = :code, last_error = null where id = :id")
            .bind("id", id)
            .bind("now", now)
            .bind("code", statusCode)
            .then();
    }

    /** Records a failed attempt: retried at {@code next}, or given up ({@code failed}) when {@code next} is null. */
    public Mono<Void> attemptFailed(UUID id, Integer statusCode, String error, Instant next) {
        DatabaseClient.GenericExecuteSpec spec = db.sql("update notification_deliveries set "
                + "status = case when cast(:next as timestamptz) is null then 'failed' else 'pending' end, "
                + "next_attempt_at = :next, last_status = :code, last_error = :error where id = :id")
            .bind("id", id)
            .bind("error", error.length() > MAX_ERROR ? error.substring(0, MAX_ERROR) : error);
        spec = next == null ? spec.bindNull("next", Instant.class) : spec.bind("next", next);
        spec = statusCode == null ? spec.bindNull("code", Integer.class) : spec.bind("code", statusCode);
        return spec.then();
    }

    /** One page of an organization's deliveries, newest first. */
    public Flux<DeliveryView> page(UUID organizationId, PageCursor after, int limit, String status) {
        StringBuilder sql = new StringBuilder("select ").append(COLUMNS)
            .append(" from notification_deliveries where organization_id = :org");
        if (after != null) {
            sql.append(" and (created_at, id) < (:afterCreatedAt, :afterId)");
        }
        if (status != null) {
            sql.append(" and status = :status");
        }
        sql.append(" order by created_at desc, id desc limit :limit");
        DatabaseClient.GenericExecuteSpec spec = db.sql(sql.toString()).bind("org", organizationId)
            .bind("limit", limit);
        if (after != null) {
            spec = spec.bind("afterCreatedAt", after.createdAt()).bind("afterId", after.id());
        }
        if (status != null) {
            spec = spec.bind("status", status);
        }
        return spec.map(this::view).all();
    }

    private DeliveryView view(Readable row) {
        return new DeliveryView(row.get("id", UUID.class), row.get("organization_id", UUID.class),
                row.get("subject_kind", String.class), row.get("subject_id", UUID.class),
                row.get("quota", String.class), row.get("period_start", LocalDate.class),
                row.get("threshold", Integer.class), row.get("used", Long.class), row.get("limit_units", Long.class),
                row.get("status", String.class), row.get("attempts", Integer.class),
                row.get("next_attempt_at", Instant.class), row.get("last_status", Integer.class),
                row.get("last_error", String.class), row.get("created_at", Instant.class),
                row.get("delivered_at", Instant.class), json.readValue(row.get("payload", String.class), OBJECT));
    }

    /** A delivery leased for sending, with where to and the secret to sign it with (null: no webhook any more). */
    public record Claimed(UUID id, UUID organizationId, String payload, int attempts, String url, String secret) {

        @Override
        public String toString() {
            return "Claimed[id=" + id + ", attempts=" + attempts + "]";
        }
    }
}
