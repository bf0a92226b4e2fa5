package dev.relaygate.controlplane.member;

import java.time.Instant;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import reactor.core.publisher.Mono;

/** Users, known by their JWT subject; rows exist so memberships can reference them. */
@Component
public final class Users {

    private final DatabaseClient db;

    public Users(DatabaseClient db) {
        this.db = db;
    }

    /** Records that a subject exists, with its latest e-mail if one is given. */
    public Mono<Void> upsert(String subject, String email, Instant now) {
        DatabaseClient.GenericExecuteSpec spec = db.sql("""
                insert into users (subject, email, created_at, seen_at) values (:subject, :email, :now, :now)
                on conflict (subject) do update set email = coalesce(excluded.email, users.email), seen_at = :now
                """)
            .bind("subject", subject)
            .bind("now", now);
        spec = email == null ? spec.bindNull("email", String.class) : spec.bind("email", email);
        return spec.then();
    }
}
