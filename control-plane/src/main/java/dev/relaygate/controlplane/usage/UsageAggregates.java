package dev.relaygate.controlplane.usage;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The rows of one batch folded into what the usage tables store: per hour and per day (UTC), with outcomes turned
 * into {@code calls}, {@code errors} and {@code rateLimited}. Pure, so the counting rules are tested without a
 * database.
 *
 * <p>Each list holds at most one cell per primary key, which a single {@code INSERT … ON CONFLICT DO UPDATE} needs,
 * and is sorted by that key, so two transactions touching the same cells lock them in the same order.
 *
 * @param hourly       cells of {@code usage_hourly}
 * @param daily        cells of {@code usage_daily}
 * @param lastUsedDays per key, the greatest day it was seen
 * @param months       first days of the months the hourly cells fall in (their partitions must exist)
 */
public record UsageAggregates(List<Cell<Instant>> hourly, List<Cell<LocalDate>> daily,
        Map<UUID, LocalDate> lastUsedDays, SortedSet<LocalDate> months) {

    public static UsageAggregates of(List<UsageRow> rows) {
        Map<Dimensions<Instant>, Counts> hourly = new TreeMap<>(Dimensions.order());
        Map<Dimensions<LocalDate>, Counts> daily = new TreeMap<>(Dimensions.order());
        Map<UUID, LocalDate> lastUsed = new TreeMap<>();
        SortedSet<LocalDate> months = new TreeSet<>();
        for (UsageRow row : rows) {
            Instant hour = row.minute().truncatedTo(ChronoUnit.HOURS);
            LocalDate day = LocalDate.ofInstant(row.minute(), ZoneOffset.UTC);
            Counts counts = Counts.of(row);
            hourly.merge(new Dimensions<>(row.organizationId(), hour, row.keyId(), row.chain(), row.method()), counts,
                    Counts::plus);
            daily.merge(new Dimensions<>(row.organizationId(), day, row.keyId(), row.chain(), row.method()), counts,
                    Counts::plus);
            lastUsed.merge(row.keyId(), day, (a, b) -> a.isAfter(b) ? a : b);
            months.add(day.withDayOfMonth(1));
        }
        return new UsageAggregates(cells(hourly), cells(daily), Map.copyOf(lastUsed),
                Collections.unmodifiableSortedSet(months));
    }

    private static <T> List<Cell<T>> cells(Map<Dimensions<T>, Counts> map) {
        return map.entrySet().stream().map(e -> new Cell<>(e.getKey(), e.getValue())).toList();
    }

    /** One aggregate cell: its primary key and its counts. */
    public record Cell<T>(Dimensions<T> dimensions, Counts counts) {
    }

    /** The primary key of an aggregate cell; {@code bucket} is the hour (an instant) or the day. */
    public record Dimensions<T>(UUID organizationId, T bucket, UUID keyId, String chain, String method) {

        static <T extends Comparable<? super T>> Comparator<Dimensions<T>> order() {
            Comparator<Dimensions<T>> byOrganization = Comparator.comparing((Dimensions<T> d) -> d.organizationId());
            return byOrganization.thenComparing((Dimensions<T> d) -> d.bucket())
                .thenComparing((Dimensions<T> d) -> d.keyId())
                .thenComparing((Dimensions<T> d) -> d.chain())
                .thenComparing((Dimensions<T> d) -> d.method());
        }
    }

    /**
     * What a cell counts. {@code calls} are admitted calls (ok, rpc_error, upstream_error); {@code errors} the
     * rpc_error and upstream_error part of them; {@code rateLimited} refused calls, which are not in {@code calls};
     * {@code computeUnits} what the gateway charged.
     */
    public record Counts(long calls, long computeUnits, long errors, long rateLimited, long upstreamLatencyMillis) {

        static Counts of(UsageRow row) {
            Outcome outcome = row.outcome();
            return new Counts(outcome.admitted() ? row.calls() : 0, row.computeUnits(),
                    outcome.error() ? row.calls() : 0, outcome.admitted() ? 0 : row.calls(),
                    row.upstreamLatencyMillis());
        }

        Counts plus(Counts other) {
            return new Counts(Math.addExact(calls, other.calls), Math.addExact(computeUnits, other.computeUnits),
                    Math.addExact(errors, other.errors), Math.addExact(rateLimited, other.rateLimited),
                    Math.addExact(upstreamLatencyMillis, other.upstreamLatencyMillis));
        }
    }
}
