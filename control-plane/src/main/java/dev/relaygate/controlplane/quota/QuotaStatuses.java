package dev.relaygate.controlplane.quota;

import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;

import dev.relaygate.controlplane.member.MemberAccess;
import dev.relaygate.controlplane.security.Caller;
import dev.relaygate.controlplane.web.ApiException;
import reactor.core.publisher.Mono;

/**
 * Computes quota statuses from {@code usage_daily} (charged compute units per key and UTC day) and the plan's and
 * keys' limits. Any member may read, like usage; a non-member gets the same 404 as for an unknown organization.
 */
@Service
public final class QuotaStatuses {

    /** Bound on the keys one status lists. */
    static final int MAX_KEYS = 1_000;

    private final DatabaseClient db;

    private final MemberAccess access;

    private final Clock clock;

    public QuotaStatuses(DatabaseClient db, MemberAccess access, Clock clock) {
        this.db = db;
        this.access = access;
        this.clock = clock;
    }

    public Mono<QuotaStatus> status(Caller caller, UUID organizationId) {
        return access.roleOf(caller, organizationId).then(Mono.defer(() -> status(organizationId)));
    }

    private Mono<QuotaStatus> status(UUID organizationId) {
        Instant now = clock.instant();
        QuotaPeriod period = QuotaPeriod.at(now);
        Instant monthEnd = QuotaPeriod.startOf(period.nextMonth());
        Instant dayEnd = QuotaPeriod.startOf(period.tomorrow());
        Mono<QuotaStatus.Allowance> organization = db.sql("select p.monthly_compute_units, "
                + "(select coalesce(sum(u.compute_units), 0) from usage_daily u where u.organization_id = o.id "
                + "and u.day >= :from and u.day < :to)::bigint as used "
                + "from organizations o join plans p on p.id = o.plan_id where o.id = :org")
            .bind("org", organizationId)
            .bind("from", period.monthStart())
            .bind("to", period.nextMonth())
            .map(row -> QuotaStatus.Allowance.of(row.get("monthly_compute_units", Long.class),
                    row.get("used", Long.class), monthEnd))
            .one()
            .switchIfEmpty(Mono.error(() -> ApiException.notFound("organization")));
        Mono<java.util.List<QuotaStatus.KeyQuota>> keys = db.sql("select k.id, k.name, k.display_prefix, "
                + "k.daily_compute_units, k.monthly_compute_units, "
                + "(select coalesce(sum(u.compute_units), 0) from usage_daily u where u.organization_id = k.organization_id "
                + "and u.key_id = k.id and u.day = :today)::bigint as used_today, "
                + "(select coalesce(sum(u.compute_units), 0) from usage_daily u where u.organization_id = k.organization_id "
                + "and u.key_id = k.id and u.day >= :from and u.day < :to)::bigint as used_month "
                + "from api_keys k where k.organization_id = :org and k.revoked_at is null "
                + "and (k.daily_compute_units is not null or k.monthly_compute_units is not null) "
                + "order by k.created_at, k.id limit :limit")
            .bind("org", organizationId)
            .bind("today", period.today())
            .bind("from", period.monthStart())
            .bind("to", period.nextMonth())
            .bind("limit", MAX_KEYS)
            .map(row -> new QuotaStatus.KeyQuota(row.get("id", UUID.class), row.get("name", String.class),
                    row.get("display_prefix", String.class),
                    QuotaStatus.Allowance.of(row.get("daily_compute_units", Long.class), row.get("used_today", Long.class),
                            dayEnd),
                    QuotaStatus.Allowance.of(row.get("monthly_compute_units", Long.class),
                            row.get("used_month", Long.class), monthEnd)))
            .all()
            .collectList();
        return Mono.zip(organization, keys).map(both -> new QuotaStatus(organizationId,
                QuotaPeriod.startOf(period.monthStart()), monthEnd, both.getT1(), both.getT2(), now));
    }
}
