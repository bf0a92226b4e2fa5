package dev.relaygate.controlplane.usage;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Folds usage batches into Postgres, each exactly once: the batch id, the hourly and daily aggregates and the keys'
 * {@code last_used_day} commit in one transaction, and a batch id already recorded changes nothing.
 */
@Component
public final class UsageLedger {

    /** A dead letter keeps at most this much of its payload (a wedge-proof bound, far above a real batch). */
    static final int MAX_DEAD_LETTER_PAYLOAD = 1 << 20;

    private static final String UPSERT_SET = " do update set calls = t.calls + excluded.calls, "
            + "compute_units = t.compute_units + excluded.compute_units, errors = t.errors + excluded.errors, "
            + "rate_limited = t.rate_limited + excluded.rate_limited, "
            + "upstream_latency_ms_sum = t.upstream_latency_ms_sum + excluded.upstream_latency_ms_sum";

    private static final String UNNEST = " select * from unnest(cast(:orgs as uuid[]), cast(:keys as uuid[]), "
            + "cast(:chains as text[]), cast(:methods as text[]), cast(:buckets as %s[]), cast(:calls as bigint[]), "
            + "cast(:units as bigint[]), cast(:errors as bigint[]), cast(:limited as bigint[]), "
            + "cast(:latency as bigint[]))";

    private static final String COLUMNS = "organization_id, key_id, chain, method, %s, calls, compute_units, errors, "
            + "rate_limited, upstream_latency_ms_sum";

    private static final String UPSERT_HOURLY = "insert into usage_hourly as t (" + COLUMNS.formatted("hour") + ")"
            + UNNEST.formatted("timestamptz") + " on conflict (organization_id, hour, key_id, chain, method)"
            + UPSERT_SET;

    private static final String UPSERT_DAILY = "insert into usage_daily as t (" + COLUMNS.formatted("day") + ")"
            + UNNEST.formatted("date") + " on conflict (organization_id, day, key_id, chain, method)" + UPSERT_SET;

    private final DatabaseClient db;

    private final TransactionalOperator tx;

    private final Clock clock;

    public UsageLedger(DatabaseClient db, TransactionalOperator tx, Clock clock) {
        this.db = db;
        this.tx = tx;
        this.clock = clock;
    }

    /**
     * Counts a batch unless its id was counted before. Emits true when it was counted now, false for a duplicate.
     *
     * @param streamId the stream entry it came in, kept for tracing a batch back to its delivery
     */
    public Mono<Boolean> record(UsageBatch batch, String streamId) {
        return Mono.defer(() -> {
            UsageAggregates aggregates = UsageAggregates.of(batch.rows());
            DatabaseClient.GenericExecuteSpec claim = db.sql("insert into usage_batches (batch_id, gateway_id, "
                    + "stream_id, recorded_at) values (:batchId, :gatewayId, :streamId, :now) "
                    + "on conflict (batch_id) do nothing")
                .bind("batchId", batch.batchId())
                .bind("streamId", streamId)
                .bind("now", Instant.now(clock));
            claim = batch.gatewayId() == null ? claim.bindNull("gatewayId", String.class)
                    : claim.bind("gatewayId", batch.gatewayId());
            Mono<Boolean> once = claim.fetch()
                .rowsUpdated()
                .flatMap(inserted -> inserted == 0 ? Mono.just(false) : fold(aggregates).thenReturn(true));
            return tx.transactional(once);
        });
    }

    /** Keeps an unreadable stream entry with the reason; recording the same entry twice keeps the first. */
    public Mono<Void> deadLetter(String streamId, String payload, String reason) {
        DatabaseClient.GenericExecuteSpec insert = db.sql("insert into usage_dead_letters (stream_id, payload, reason, "
                + "recorded_at) values (:streamId, :payload, :reason, :now) on conflict (stream_id) do nothing")
            .bind("streamId", streamId)
            .bind("reason", storable(reason))
            .bind("now", Instant.now(clock));
        insert = payload == null ? insert.bindNull("payload", String.class) : insert.bind("payload", storable(payload));
        return insert.then();
    }

    private Mono<Void> fold(UsageAggregates aggregates) {
        if (aggregates.hourly().isEmpty()) {
            return Mono.empty();
        }
        return Flux.fromIterable(aggregates.months())
            .concatMap(month -> db.sql("select usage_hourly_ensure_partition(:month)").bind("month", month).then())
            .then(upsert(UPSERT_HOURLY, aggregates.hourly(), Instant::toString))
            .then(upsert(UPSERT_DAILY, aggregates.daily(), LocalDate::toString))
            .then(lastUsed(aggregates.lastUsedDays()));
    }

    private <T> Mono<Void> upsert(String sql, List<UsageAggregates.Cell<T>> cells, Function<T, String> bucket) {
        return Mono.defer(() -> sqlSpec(sql, cells, bucket).then());
    }

    private <T> DatabaseClient.GenericExecuteSpec sqlSpec(String sql, List<UsageAggregates.Cell<T>> cells,
            Function<T, String> bucket) {
        int n = cells.size();
        String[] orgs = new String[n];
        String[] keys = new String[n];
        String[] chains = new String[n];
        String[] methods = new String[n];
        String[] buckets = new String[n];
        Long[] calls = new Long[n];
        Long[] units = new Long[n];
        Long[] errors = new Long[n];
        Long[] limited = new Long[n];
        Long[] latency = new Long[n];
        for (int i = 0; i < n; i++) {
            UsageAggregates.Cell<T> cell = cells.get(i);
            orgs[i] = cell.dimensions().organizationId().toString();
            keys[i] = cell.dimensions().keyId().toString();
            chains[i] = cell.dimensions().chain();
            methods[i] = cell.dimensions().method();
            buckets[i] = bucket.apply(cell.dimensions().bucket());
            calls[i] = cell.counts().calls();
            units[i] = cell.counts().computeUnits();
            errors[i] = cell.counts().errors();
            limited[i] = cell.counts().rateLimited();
            latency[i] = cell.counts().upstreamLatencyMillis();
        }
        return db.sql(sql)
            .bind("orgs", orgs)
            .bind("keys", keys)
            .bind("chains", chains)
            .bind("methods", methods)
            .bind("buckets", buckets)
            .bind("calls", calls)
            .bind("units", units)
            .bind("errors", errors)
            .bind("limited", limited)
            .bind("latency", latency);
    }

    private Mono<Void> lastUsed(Map<UUID, LocalDate> days) {
        // Sorted by key id (UsageAggregates keeps them so), the order in which rows are locked.
        List<Map.Entry<UUID, LocalDate>> entries = days.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList();
        return db.sql("update api_keys k set last_used_day = u.day from unnest(cast(:ids as uuid[]), "
                + "cast(:days as date[])) as u(id, day) where k.id = u.id "
                + "and (k.last_used_day is null or k.last_used_day < u.day)")
            .bind("ids", entries.stream().map(e -> e.getKey().toString()).toArray(String[]::new))
            .bind("days", entries.stream().map(e -> e.getValue().toString()).toArray(String[]::new))
            .then();
    }

    /** Postgres text holds no NUL; a payload is also bounded so an absurd entry cannot fail its own dead letter. */
    private static String storable(String text) {
        String bounded = text.length() > MAX_DEAD_LETTER_PAYLOAD ? text.substring(0, MAX_DEAD_LETTER_PAYLOAD) : text;
        return bounded.replace('\u0000', '\uFFFD');
    }
}
