package dev.relaygate.controlplane.org;

import java.time.Instant;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import reactor.core.publisher.Mono;

/** Organizations, users and memberships in Postgres. */
@Component
public final class OrganizationRepository {

    private static final String COLUMNS = "o.id, o.name, o.plan_id, o.created_at, o.updated_at, o.version";

    private final DatabaseClient db;

    public OrganizationRepository(DatabaseClient db) {
        this.db = db;
    }

    /** Records that a subject was seen, with its latest e-mail claim. */
    public Mono<Void> upsertUser(String subject, String email, Instant now) {
        DatabaseClient.GenericExecuteSpec spec = db.sql("""
                insert into users (subject, email, created_at, seen_at) values (:subject, :email, :now, :now)
                on conflict (subject) do update set email = coalesce(excluded.email, users.email), seen_at = :now
                """)
            .bind("subject", subject)
            .bind("now", now);
        spec = email == null ? spec.bindNull("email", String.class) : spec.bind("email", email);
        return spec.then();
    }

    public Mono<Organization> insert(UUID id, String name, UUID planId, Instant now) {
        return db.sql("insert into organizations as o (id, name, plan_id, created_at, updated_at) "
                + "values (:id, :name, :plan, :now, :now) returning " + COLUMNS)
            .bind("id", id)
            .bind("name", name)
            .bind("plan", planId)
            .bind("now", now)
            .map(OrganizationRepository::organization)
            .one();
    }

    public Mono<Void> insertMembership(UUID organizationId, String subject, String role, String createdBy,
            Instant now) {
        return db.sql("insert into memberships (id, organization_id, user_subject, role, created_by, created_at, "
                + "updated_at) values (:id, :org, :subject, :role, :createdBy, :now, :now)")
            .bind("id", UUID.randomUUID())
            .bind("org", organizationId)
            .bind("subject", subject)
            .bind("role", role)
            .bind("createdBy", createdBy)
            .bind("now", now)
            .then();
    }

    public Mono<Organization> find(UUID id) {
        return db.sql("select " + COLUMNS + " from organizations o where o.id = :id")
            .bind("id", id)
            .map(OrganizationRepository::organization)
            .one();
    }

    static Organization organization(Readable row) {
        return new Organization(row.get("id", UUID.class), row.get("name", String.class),
                row.get("plan_id", UUID.class), row.get("created_at", Instant.class),
                row.get("updated_at", Instant.class), row.get("version", Long.class));
    }
}
