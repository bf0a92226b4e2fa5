package dev.relaygate.controlplane.quota;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The periods quotas are counted in, as the gateways count them: the calendar month and the day, UTC
 * (docs/usage-and-quotas.md, "Quotas"). The organization's billing period does not move them.
 *
 * @param monthStart first day of the month
 * @param today      the current day
 */
public record QuotaPeriod(LocalDate monthStart, LocalDate today) {

    public static QuotaPeriod at(Instant now) {
        LocalDate today = now.atOffset(ZoneOffset.UTC).toLocalDate();
        return new QuotaPeriod(today.withDayOfMonth(1), today);
    }

    public LocalDate nextMonth() {
        return monthStart.plusMonths(1);
    }

    public LocalDate tomorrow() {
        return today.plusDays(1);
    }

    public static Instant startOf(LocalDate day) {
        return day.atStartOfDay(ZoneOffset.UTC).toInstant();
    }
}
