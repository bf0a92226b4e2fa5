package dev.relaygate.controlplane.billing;

import java.time.Instant;

import io.r2dbc.postgresql.codec.Json;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import reactor.core.publisher.Mono;

/** Every Stripe webhook event, stored once by its id ({@code stripe_events}). */
@Component
public final class StripeEvents {

    private final DatabaseClient db;

    public StripeEvents(DatabaseClient db) {
        this.db = db;
    }

    /**
     * Stores the event unless its id is known; answers whether it still needs processing (false for a
     * redelivery of an event already applied).
     */
    public Mono<Boolean> record(String id, String type, Instant created, String payload, Instant now) {
        return db.sql("insert into stripe_events (id, type, created, payload, received_at) "
                + "values (:id, :type, :created, :payload, :now) on conflict (id) do nothing")
            .bind("id", id)
            .bind("type", type)
            .bind("created", created)
            .bind("payload", Json.of(payload))
            .bind("now", now)
            .fetch().rowsUpdated()
            .then(db.sql("select processed_at is null as pending from stripe_events where id = :id")
                .bind("id", id)
                .map(row -> Boolean.TRUE.equals(row.get("pending", Boolean.class)))
                .one());
    }

    public Mono<Void> markProcessed(String id, Instant now) {
        return db.sql("update stripe_events set processed_at = :now where id = :id and processed_at is null")
            .bind("id", id)
            .bind("now", now)
            .fetch().rowsUpdated()
            .then();
    }
}
