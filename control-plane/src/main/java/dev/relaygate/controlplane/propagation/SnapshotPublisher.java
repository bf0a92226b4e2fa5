package dev.relaygate.controlplane.propagation;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Publishes committed snapshots: write to Redis first, then announce on {@code rg:invalidations}, then drop
 * the outbox entry (rule 1 of the propagation contract). A failure never fails the API call that caused it:
 * Postgres is the truth and gateways fall back to the internal endpoint, but the failure is logged, counted
 * ({@value #FAILURES_METRIC}) and the entry stays in the outbox for {@link OutboxRepublisher} to retry.
 */
@Component
public final class SnapshotPublisher {

    public static final String FAILURES_METRIC = "relaygate.propagation.failures";

    public static final String PUBLISHED_METRIC = "relaygate.propagation.published";

    private static final Logger log = LoggerFactory.getLogger(SnapshotPublisher.class);

    private final SnapshotStore store;

    private final SnapshotOutbox outbox;

    private final JsonMapper json;

    private final Clock clock;

    private final MeterRegistry meters;

    public SnapshotPublisher(SnapshotStore store, SnapshotOutbox outbox, JsonMapper json, Clock clock,
            MeterRegistry meters) {
        this.store = store;
        this.outbox = outbox;
        this.json = json;
        this.clock = clock;
        this.meters = meters;
        // Registered up front so dashboards and alerts see a zero rather than a missing series.
        for (String kind : new String[] { PendingSnapshot.KEY, PendingSnapshot.PLAN }) {
            counter(FAILURES_METRIC, kind);
            counter(PUBLISHED_METRIC, kind);
        }
    }

    /** Publishes snapshots already in the outbox, in order; completes when done or given up (never errors). */
    public Mono<Void> publish(List<PendingSnapshot> snapshots) {
        return Flux.fromIterable(snapshots).concatMap(this::publishOne).then();
    }

    /** Writes a snapshot to Redis without announcing it: a re-publication of unchanged state. */
    public Mono<Void> refresh(PendingSnapshot snapshot) {
        return store.write(snapshot.redisKey(), snapshot.payload(), snapshot.version())
            .then()
            .onErrorResume(failure -> failed(snapshot, failure));
    }

    private Mono<Void> publishOne(PendingSnapshot snapshot) {
        Invalidation message = new Invalidation(1, snapshot.kind(), snapshot.ref(), snapshot.version(),
                Instant.now(clock).truncatedTo(ChronoUnit.MILLIS).toString());
        return store.write(snapshot.redisKey(), snapshot.payload(), snapshot.version())
            .then(store.announce(json.writeValueAsString(message)))
            .then(outbox.confirm(snapshot))
            .doOnSuccess(done -> counter(PUBLISHED_METRIC, snapshot.kind()).increment())
            .onErrorResume(failure -> failed(snapshot, failure));
    }

    private Mono<Void> failed(PendingSnapshot snapshot, Throwable failure) {
        counter(FAILURES_METRIC, snapshot.kind()).increment();
        log.warn("Could not publish {} version {} to Redis ({}); it stays queued for re-publication",
                snapshot.redisKey(), snapshot.version(), failure.toString());
        return Mono.empty();
    }

    private Counter counter(String name, String kind) {
        return Counter.builder(name).tag("kind", kind).register(meters);
    }
}
