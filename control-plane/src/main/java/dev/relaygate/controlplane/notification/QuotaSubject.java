package dev.relaygate.controlplane.notification;

import java.time.LocalDate;
import java.util.UUID;

/**
 * One allowance of one subject in one period, with what was charged against it: the organization's monthly quota, or
 * a key's daily or monthly cap.
 *
 * @param kind        {@code org} or {@code key}
 * @param name        the key's name (null for the organization)
 * @param displayPrefix the key's display prefix (null for the organization)
 * @param quota       {@code monthly} or {@code daily}
 * @param periodStart first day of the period (UTC)
 * @param periodEnd   first day after it
 */
record QuotaSubject(UUID organizationId, String kind, UUID id, String name, String displayPrefix, String quota,
        LocalDate periodStart, LocalDate periodEnd, long used, long limit) {
}
