package dev.relaygate.controlplane.notification;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import dev.relaygate.controlplane.quota.QuotaPeriod;
import dev.relaygate.controlplane.usage.UsageListener;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Detects quota thresholds crossed, after each usage batch is counted: for every organization the batch touched, the
 * current period's charged units (from {@code usage_daily}, as the quota status answers them) against the plan's
 * monthly quota and each capped key's daily and monthly caps. Each threshold reached becomes a delivery, inserted
 * with {@code ON CONFLICT DO NOTHING} on (subject, quota, period, threshold): once per period however many batches,
 * retries or control planes see it.
 *
 * <p>Why after each batch rather than a periodic sweep: usage only grows when a batch is counted, and the batch names
 * the organizations whose usage grew, so nothing else needs looking at. The decision reads the totals, not the
 * batch, so a check that failed (it is logged, never retried) is made up by the organization's next batch; near a
 * quota the gateways keep sending batches (refused calls are metered too).
 */
@Component
public final class QuotaWatch implements UsageListener {

    private static final Logger log = LoggerFactory.getLogger(QuotaWatch.class);

    /** Bound on one check: the usage consumer waits for it. */
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(5);

    private static final String ORGANIZATIONS = "select o.id, p.monthly_compute_units as lim, "
            + "(select coalesce(sum(u.compute_units), 0) from usage_daily u where u.organization_id = o.id "
            + "and u.day >= :from and u.day < :to)::bigint as used "
            + "from organizations o join plans p on p.id = o.plan_id "
            + "where o.id = any(cast(:orgs as uuid[])) and p.monthly_compute_units > 0";

    private static final String KEYS = "select k.id, k.organization_id, k.name, k.display_prefix, "
            + "k.daily_compute_units, k.monthly_compute_units, "
            + "(select coalesce(sum(u.compute_units), 0) from usage_daily u where u.organization_id = k.organization_id "
            + "and u.key_id = k.id and u.day = :today)::bigint as used_today, "
            + "(select coalesce(sum(u.compute_units), 0) from usage_daily u where u.organization_id = k.organization_id "
            + "and u.key_id = k.id and u.day >= :from and u.day < :to)::bigint as used_month "
            + "from api_keys k where k.organization_id = any(cast(:orgs as uuid[])) and k.revoked_at is null "
            + "and (k.daily_compute_units is not null or k.monthly_compute_units is not null)";

    /** Pending when the organization has a webhook now, else skipped: nobody to send it to. */
    private static final String INSERT = "insert into notification_deliveries (id, organization_id, subject_kind, "
            + "subject_id, quota, period_start, threshold, used, limit_units, payload, status, attempts, "
            + "next_attempt_at, created_at) "
            + "select :id, :org, :kind, :subject, :quota, :period, :threshold, :used, :limit, :payload, "
            + "case when w.organization_id is null then 'skipped' else 'pending' end, 0, "
            + "case when w.organization_id is null then null else cast(:now as timestamptz) end, :now "
            + "from (select 1) one left join notification_webhooks w on w.organization_id = :org "
            + "on conflict on constraint notification_deliveries_once_per_period do nothing returning id, status";

    private final DatabaseClient db;

    private final JsonMapper json;

    private final Clock clock;

    private final NotificationProperties properties;

    private final QuotaMail mail;

    public QuotaWatch(DatabaseClient db, JsonMapper json, Clock clock, NotificationProperties properties,
            QuotaMail mail) {
        this.db = db;
        this.json = json;
        this.clock = clock;
        this.properties = properties;
        this.mail = mail;
    }

    @Override
    public Mono<Void> counted(Set<UUID> organizationIds) {
        if (!properties.enabled() || organizationIds.isEmpty()) {
            return Mono.empty();
        }
        return check(organizationIds).timeout(CHECK_TIMEOUT).then();
    }

    /** Records a delivery for every threshold the organizations and their keys have reached; answers how many new. */
    public Mono<Long> check(Collection<UUID> organizationIds) {
        return Mono.defer(() -> {
            Instant now = clock.instant();
            QuotaPeriod period = QuotaPeriod.at(now);
            String[] orgs = organizationIds.stream().sorted().map(UUID::toString).toArray(String[]::new);
            Flux<QuotaSubject> organizations = db.sql(ORGANIZATIONS)
                .bind("orgs", orgs)
                .bind("from", period.monthStart())
                .bind("to", period.nextMonth())
                .map(row -> new QuotaSubject(row.get("id", UUID.class), "org", row.get("id", UUID.class), null, null,
                        "monthly", period.monthStart(), period.nextMonth(), row.get("used", Long.class),
                        row.get("lim", Long.class)))
                .all();
            Flux<QuotaSubject> keys = db.sql(KEYS)
                .bind("orgs", orgs)
                .bind("today", period.today())
                .bind("from", period.monthStart())
                .bind("to", period.nextMonth())
                .map(row -> {
                    List<QuotaSubject> caps = new ArrayList<>(2);
                    UUID id = row.get("id", UUID.class);
                    UUID org = row.get("organization_id", UUID.class);
                    String name = row.get("name", String.class);
                    String prefix = row.get("display_prefix", String.class);
                    Long daily = row.get("daily_compute_units", Long.class);
                    Long monthly = row.get("monthly_compute_units", Long.class);
                    if (daily != null) {
                        caps.add(new QuotaSubject(org, "key", id, name, prefix, "daily", period.today(),
                                period.tomorrow(), row.get("used_today", Long.class), daily));
                    }
                    if (monthly != null) {
                        caps.add(new QuotaSubject(org, "key", id, name, prefix, "monthly", period.monthStart(),
                                period.nextMonth(), row.get("used_month", Long.class), monthly));
                    }
                    return caps;
                })
                .all()
                .flatMapIterable(caps -> caps);
            return organizations.concatWith(keys)
                .concatMap(subject -> Flux.fromIterable(Threshold.reached(subject.used(), subject.limit()))
                    .concatMap(threshold -> record(subject, threshold, now)))
                .count();
        });
    }

    /** Inserts the delivery unless this threshold already fired in this period; emits only when it is new. */
    private Mono<Boolean> record(QuotaSubject subject, Threshold threshold, Instant now) {
        UUID id = UUID.randomUUID();
        String payload = json.writeValueAsString(payload(id, subject, threshold, now));
        return db.sql(INSERT)
            .bind("id", id)
            .bind("org", subject.organizationId())
            .bind("kind", subject.kind())
            .bind("subject", subject.id())
            .bind("quota", subject.quota())
            .bind("period", subject.periodStart())
            .bind("threshold", threshold.percent())
            .bind("used", subject.used())
            .bind("limit", subject.limit())
            .bind("payload", payload)
            .bind("now", now)
            .map(row -> row.get("status", String.class))
            .one()
            .doOnNext(status -> log.info("Quota notification {}: {} {} {} quota at {} % ({})", id, subject.kind(),
                    subject.id(), subject.quota(), threshold.percent(), status))
            .flatMap(status -> mail.send(subject, threshold, payload).thenReturn(true));
    }

    /** The document POSTed to the webhook (docs/usage-and-quotas.md, "Notifications"). */
    private static Map<String, Object> payload(UUID id, QuotaSubject subject, Threshold threshold, Instant now) {
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("kind", subject.kind());
        about.put("id", subject.id().toString());
        if (subject.kind().equals("key")) {
            about.put("name", subject.name());
            about.put("displayPrefix", subject.displayPrefix());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id.toString());
        body.put("type", "quota.threshold_reached");
        body.put("createdAt", now.toString());
        body.put("organizationId", subject.organizationId().toString());
        body.put("subject", about);
        body.put("quota", subject.quota());
        body.put("threshold", threshold.percent());
        body.put("periodStart", startOf(subject.periodStart()));
        body.put("periodEnd", startOf(subject.periodEnd()));
        body.put("used", subject.used());
        body.put("limit", subject.limit());
        body.put("percentUsed", Math.round(subject.used() * 10_000.0 / subject.limit()) / 100.0);
        return body;
    }

    private static String startOf(LocalDate day) {
        return QuotaPeriod.startOf(day).toString();
    }
}
