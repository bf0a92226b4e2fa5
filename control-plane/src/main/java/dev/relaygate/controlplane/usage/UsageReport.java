package dev.relaygate.controlplane.usage;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * An organization's usage over a range: one row per bucket (and group), plus their totals.
 *
 * @param groupBy what {@code group} of each row is (absent when rows are not split)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UsageReport(UUID organizationId, Instant from, Instant to, UsageQuery.Granularity granularity,
        UsageQuery.GroupBy groupBy, List<Row> rows, Totals totals) {

    public UsageReport {
        rows = List.copyOf(rows);
    }

    static UsageReport of(UUID organizationId, UsageQuery query, List<Row> rows) {
        long calls = 0;
        long units = 0;
        long errors = 0;
        long limited = 0;
        for (Row row : rows) {
            calls += row.calls();
            units += row.computeUnits();
            errors += row.errors();
            limited += row.rateLimited();
        }
        return new UsageReport(organizationId, query.from(), query.to(), query.granularity(), query.groupBy(), rows,
                new Totals(calls, units, errors, limited));
    }

    /**
     * One bucket.
     *
     * @param start       when the bucket (hour or UTC day) starts
     * @param group       the key id, chain or method, when rows are split
     * @param calls       admitted calls, errors included
     * @param computeUnits compute units charged
     * @param errors      calls answered with a JSON-RPC error or without a usable upstream answer
     * @param rateLimited calls refused by a limit (not in calls)
     */
    @Schema(name = "UsageRow")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Row(Instant start, @Schema(nullable = true) String group, long calls, long computeUnits,
            long errors, long rateLimited) {
    }

    /** The sums of all rows. */
    @Schema(name = "UsageTotals")
    public record Totals(long calls, long computeUnits, long errors, long rateLimited) {
    }
}
