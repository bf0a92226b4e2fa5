package dev.relaygate.controlplane.usage;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;

import dev.relaygate.controlplane.member.MemberAccess;
import dev.relaygate.controlplane.security.Caller;
import dev.relaygate.controlplane.web.ApiException;
import reactor.core.publisher.Mono;

/**
 * Answers usage questions for members of an organization: hour buckets from {@code usage_hourly} (only the monthly
 * partitions the range touches are read), day buckets from {@code usage_daily}. Any member may read, like keys; a
 * non-member gets the same 404 as for an organization that does not exist.
 */
@Service
public final class UsageReports {

    /** The most rows one answer holds; a question that would need more is refused and asked to narrow. */
    static final int MAX_ROWS = 50_000;

    private final DatabaseClient db;

    private final MemberAccess access;

    public UsageReports(DatabaseClient db, MemberAccess access) {
        this.db = db;
        this.access = access;
    }

    public Mono<UsageReport> report(Caller caller, UUID organizationId, UsageQuery query) {
        return access.roleOf(caller, organizationId).then(Mono.defer(() -> rows(organizationId, query)
            .collectList()
            .map(rows -> {
                if (rows.size() > MAX_ROWS) {
                    throw ApiException.invalidField("to", "the answer would hold more than " + MAX_ROWS
                            + " rows; narrow the range, use granularity=day or group differently");
                }
                return UsageReport.of(organizationId, query, rows);
            })));
    }

    private reactor.core.publisher.Flux<UsageReport.Row> rows(UUID organizationId, UsageQuery query) {
        boolean hourly = query.granularity() == UsageQuery.Granularity.HOUR;
        String bucket = hourly ? "hour" : "day";
        String group = query.groupBy() == null ? "" : ", " + query.groupBy().column() + "::text";
        String sql = "select " + bucket + " as bucket" + (group.isEmpty() ? "" : group + " as grp")
                + ", sum(calls)::bigint as calls, sum(compute_units)::bigint as compute_units, "
                + "sum(errors)::bigint as errors, sum(rate_limited)::bigint as rate_limited from "
                + (hourly ? "usage_hourly" : "usage_daily") + " where organization_id = :org and " + bucket
                + " >= :from and " + bucket + " < :to group by " + bucket + group + " order by " + bucket + group
                + " limit :limit";
        DatabaseClient.GenericExecuteSpec spec = db.sql(sql).bind("org", organizationId).bind("limit", MAX_ROWS + 1);
        if (hourly) {
            spec = spec.bind("from", query.from()).bind("to", query.to());
        }
        else {
            // A day bucket belongs to the answer when its start (midnight UTC) lies in [from, to).
            spec = spec.bind("from", firstDayStartingAtOrAfter(query.from()))
                .bind("to", firstDayStartingAtOrAfter(query.to()));
        }
        boolean grouped = query.groupBy() != null;
        return spec.map(row -> row(row, hourly, grouped)).all();
    }

    private static UsageReport.Row row(Readable row, boolean hourly, boolean grouped) {
        Instant start = hourly ? row.get("bucket", Instant.class)
                : row.get("bucket", LocalDate.class).atStartOfDay(ZoneOffset.UTC).toInstant();
        return new UsageReport.Row(start, grouped ? row.get("grp", String.class) : null, row.get("calls", Long.class),
                row.get("compute_units", Long.class), row.get("errors", Long.class),
                row.get("rate_limited", Long.class));
    }

    static LocalDate firstDayStartingAtOrAfter(Instant instant) {
        LocalDate day = LocalDate.ofInstant(instant, ZoneOffset.UTC);
        return day.atStartOfDay(ZoneOffset.UTC).toInstant().equals(instant) ? day : day.plusDays(1);
    }
}
