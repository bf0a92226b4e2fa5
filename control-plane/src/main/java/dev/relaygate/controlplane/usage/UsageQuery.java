package dev.relaygate.controlplane.usage;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

import dev.relaygate.controlplane.web.ApiException;

/**
 * A checked usage question: buckets of {@code granularity} that start in {@code [from, to)}, optionally split by
 * {@code groupBy}. Bad input is refused here with a field problem (400), before any query runs.
 */
public record UsageQuery(Instant from, Instant to, Granularity granularity, GroupBy groupBy) {

    /** Bucket size, and the longest range one question may span (bounds the rows a question can read). */
    public enum Granularity {
        HOUR(Duration.ofDays(31)), DAY(Duration.ofDays(366));

        private final Duration maxRange;

        Granularity(Duration maxRange) {
            this.maxRange = maxRange;
        }

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        public Duration maxRange() {
            return maxRange;
        }
    }

    /** What rows are split by; each maps to one column of the usage tables. */
    public enum GroupBy {
        KEY("key_id"), CHAIN("chain"), METHOD("method");

        private final String column;

        GroupBy(String column) {
            this.column = column;
        }

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        String column() {
            return column;
        }
    }

    public static UsageQuery parse(String from, String to, String granularity, String groupBy) {
        Instant start = instant("from", from);
        Instant end = instant("to", to);
        if (!end.isAfter(start)) {
            throw ApiException.invalidField("to", "must be after from");
        }
        Granularity size = granularity == null || granularity.isBlank() ? Granularity.DAY
                : choice("granularity", granularity, Granularity.values(), "hour, day");
        if (Duration.between(start, end).compareTo(size.maxRange()) > 0) {
            throw ApiException.invalidField("to", "the range may span at most " + size.maxRange().toDays()
                    + " days with granularity " + size.wire());
        }
        GroupBy split = groupBy == null || groupBy.isBlank() ? null
                : choice("groupBy", groupBy, GroupBy.values(), "key, chain, method");
        return new UsageQuery(start, end, size, split);
    }

    /** An ISO-8601 instant ({@code 2026-12-02T10:00:00Z}, offsets allowed) or date (its start, UTC). */
    private static Instant instant(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ApiException.invalidField(field, "is required (an ISO-8601 instant or date)");
        }
        try {
            return value.length() == 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : Instant.parse(value);
        }
        catch (DateTimeParseException e) {
            throw ApiException.invalidField(field, "must be an ISO-8601 instant (2026-12-02T10:00:00Z) or date "
                    + "(2026-12-02)");
        }
    }

    private static <E extends Enum<E>> E choice(String field, String value, E[] values, String allowed) {
        for (E candidate : values) {
            if (candidate.name().equalsIgnoreCase(value)) {
                return candidate;
            }
        }
        throw ApiException.invalidField(field, "must be one of " + allowed);
    }
}
