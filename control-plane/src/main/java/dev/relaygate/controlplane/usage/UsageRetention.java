package dev.relaygate.controlplane.usage;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Upkeep of the usage tables, at start-up and every {@code maintenance-interval}: creates the hourly partitions of
 * this month and the next {@code partitions-ahead} ones (so the consumer never has to take the lock a new partition
 * needs), drops hourly partitions entirely older than {@code hourly-retention}, and forgets batch ids older than
 * {@code batch-id-retention}. Daily rows are kept.
 */
@Component
public final class UsageRetention implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(UsageRetention.class);

    private static final Pattern PARTITION = Pattern.compile("usage_hourly_(\\d{4})_(\\d{2})");

    private final DatabaseClient db;

    private final UsageProperties properties;

    private final Clock clock;

    private volatile Disposable schedule;

    public UsageRetention(DatabaseClient db, UsageProperties properties, Clock clock) {
        this.db = db;
        this.properties = properties;
        this.clock = clock;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void start() {
        schedule = Flux.interval(java.time.Duration.ZERO, properties.maintenanceInterval())
            .onBackpressureDrop()
            .concatMap(tick -> maintain().onErrorResume(failure -> {
                log.warn("Usage table upkeep failed: {}", failure.toString());
                return Mono.empty();
            }))
            .subscribe();
    }

    /** One round of upkeep. */
    public Mono<Void> maintain() {
        return Mono.defer(() -> {
            LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
            LocalDate hourlyCutoff = today.minusDays(properties.hourlyRetention().toDays());
            return Flux.range(0, properties.partitionsAhead() + 1)
                .concatMap(ahead -> db.sql("select usage_hourly_ensure_partition(:month)")
                    .bind("month", today.withDayOfMonth(1).plusMonths(ahead))
                    .then())
                .thenMany(db.sql("select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid "
                        + "where i.inhparent = 'usage_hourly'::regclass")
                    .map(row -> row.get("relname", String.class))
                    .all())
                .filter(name -> expired(name, hourlyCutoff))
                .concatMap(name -> db.sql("drop table if exists " + name).then()
                    .doOnSuccess(done -> log.info("Dropped usage partition {} (older than {})", name, hourlyCutoff)))
                .then(db.sql("delete from usage_batches where recorded_at < :cutoff")
                    .bind("cutoff", clock.instant().minus(properties.batchIdRetention()))
                    .then());
        });
    }

    /** Whether a partition's whole month lies before the cutoff. Names are checked, so the drop is safe to build. */
    static boolean expired(String partition, LocalDate cutoff) {
        Matcher m = PARTITION.matcher(partition);
        if (!m.matches()) {
            return false;
        }
        LocalDate monthAfter = LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), 1)
            .plusMonths(1);
        return !monthAfter.isAfter(cutoff);
    }

    @Override
    public void destroy() {
        Disposable current = schedule;
        if (current != null) {
            current.dispose();
        }
    }
}
