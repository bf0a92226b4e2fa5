package dev.relaygate.gateway.ratelimit;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The periods quotas are counted in: calendar months and days, UTC (docs/usage-and-quotas.md, "Quotas"). Pure.
 * Computed only when a counter rolls over, never per request.
 */
final class QuotaPeriods {

    /** Counters outlive their period by this much in Redis, so the last writes of a period are still readable. */
    static final long EXPIRY_AFTER_PERIOD_MILLIS = 86_400_000L;

    private QuotaPeriods() {
    }

    /** A period: its id as it appears in Redis key names ({@code yyyyMM} or {@code yyyyMMdd}) and its bounds. */
    record Period(String id, long startMillis, long endMillis) {

        long expireAtSeconds() {
            return (endMillis + EXPIRY_AFTER_PERIOD_MILLIS) / 1000;
        }
    }

    static Period month(long nowMillis) {
        LocalDate day = Instant.ofEpochMilli(nowMillis).atOffset(ZoneOffset.UTC).toLocalDate();
        LocalDate first = day.withDayOfMonth(1);
        return new Period(String.format("%04d%02d", first.getYear(), first.getMonthValue()), millis(first),
            millis(first.plusMonths(1)));
    }

    static Period day(long nowMillis) {
        LocalDate day = Instant.ofEpochMilli(nowMillis).atOffset(ZoneOffset.UTC).toLocalDate();
        return new Period(String.format("%04d%02d%02d", day.getYear(), day.getMonthValue(), day.getDayOfMonth()),
            millis(day), millis(day.plusDays(1)));
    }

    private static long millis(LocalDate day) {
        return day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }
}
