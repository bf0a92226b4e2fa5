package dev.relaygate.controlplane.propagation;

import java.time.Clock;
import java.time.Instant;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Snapshots committed but not yet confirmed in Redis. {@link #enqueue} runs inside the transaction of the change
 * it publishes; an entry is removed only once Redis has that version, so nothing is lost to a Redis outage
 * or a crash between commit and publication.
 */
@Component
public final class SnapshotOutbox {

    private final DatabaseClient db;

    private final Clock clock;

    public SnapshotOutbox(DatabaseClient db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Records a snapshot to publish; a newer version of the same Redis key replaces an older pending one. */
    public Mono<PendingSnapshot> enqueue(PendingSnapshot snapshot) {
        return db.sql("""
                insert into snapshot_outbox (redis_key, kind, ref, version, payload, created_at)
                values (:redisKey, :kind, :ref, :version, :payload, :createdAt)
                on conflict (redis_key) do update
                  set version = excluded.version, payload = excluded.payload, created_at = excluded.created_at
                  where snapshot_outbox.version <= excluded.version
                """)
            .bind("redisKey", snapshot.redisKey())
            .bind("kind", snapshot.kind())
            .bind("ref", snapshot.ref())
            .bind("version", snapshot.version())
            .bind("payload", snapshot.payload())
            .bind("createdAt", Instant.now(clock))
            .then()
            .thenReturn(snapshot);
    }

    /** Forgets a snapshot Redis now holds, unless a newer version was queued meanwhile. */
    public Mono<Void> confirm(PendingSnapshot snapshot) {
        return db.sql("delete from snapshot_outbox where redis_key = :redisKey and version <= :version")
            .bind("redisKey", snapshot.redisKey())
            .bind("version", snapshot.version())
            .then();
    }

    /** The oldest pending snapshots. */
    public Flux<PendingSnapshot> pending(int limit) {
        return db.sql("select redis_key, kind, ref, version, payload from snapshot_outbox order by created_at limit :limit")
            .bind("limit", limit)
            .map(row -> new PendingSnapshot(row.get("redis_key", String.class), row.get("kind", String.class),
                    row.get("ref", String.class), row.get("version", Long.class), row.get("payload", String.class)))
            .all();
    }

    public Mono<Long> size() {
        return db.sql("select count(*) as n from snapshot_outbox").map(row -> row.get("n", Long.class)).one();
    }
}
