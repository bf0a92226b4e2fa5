package dev.relaygate.controlplane.org;

import java.time.Instant;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import dev.relaygate.controlplane.member.Role;
import dev.relaygate.controlplane.web.PageCursor;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Organizations, users and memberships in Postgres. */
@Component
public final class OrganizationRepository {

    private static final String COLUMNS = "o.id, o.name, o.plan_id, o.created_at, o.updated_at, o.version";

    private final DatabaseClient db;

    public OrganizationRepository(DatabaseClient db) {
        this.db = db;
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

    public Mono<Organization> find(UUID id) {
        return db.sql("select " + COLUMNS + " from organizations o where o.id = :id")
            .bind("id", id)
            .map(OrganizationRepository::organization)
            .one();
    }

    public Mono<Organization> rename(UUID id, String name, Instant now) {
        return db.sql("update organizations as o set name = :name, updated_at = :now, version = version + 1 "
                + "where id = :id returning " + COLUMNS)
            .bind("id", id)
            .bind("name", name)
            .bind("now", now)
            .map(OrganizationRepository::organization)
            .one();
    }

    public Mono<Organization> assignPlan(UUID id, UUID planId, Instant now) {
        return db.sql("update organizations as o set plan_id = :plan, updated_at = :now, version = version + 1 "
                + "where id = :id returning " + COLUMNS)
            .bind("id", id)
            .bind("plan", planId)
            .bind("now", now)
            .map(OrganizationRepository::organization)
            .one();
    }

    /** The organizations a subject is a member of, newest first, with the subject's role. */
    public Flux<Membership> pageOfMember(String subject, PageCursor after, int limit, String nameContains) {
        StringBuilder sql = new StringBuilder("select " + COLUMNS + ", m.role from organizations o "
                + "join memberships m on m.organization_id = o.id where m.user_subject = :subject");
        if (after != null) {
            sql.append(" and (o.created_at, o.id) < (:afterCreatedAt, :afterId)");
        }
        if (nameContains != null) {
            sql.append(" and strpos(lower(o.name), lower(:name)) > 0");
        }
        sql.append(" order by o.created_at desc, o.id desc limit :limit");
        DatabaseClient.GenericExecuteSpec spec = db.sql(sql.toString()).bind("subject", subject).bind("limit", limit);
        if (after != null) {
            spec = spec.bind("afterCreatedAt", after.createdAt()).bind("afterId", after.id());
        }
        if (nameContains != null) {
            spec = spec.bind("name", nameContains);
        }
        return spec.map(row -> new Membership(organization(row), Role.fromWire(row.get("role", String.class)))).all();
    }

    /** An organization together with the caller's role in it. */
    public record Membership(Organization organization, Role role) {
    }

    static Organization organization(Readable row) {
        return new Organization(row.get("id", UUID.class), row.get("name", String.class),
                row.get("plan_id", UUID.class), row.get("created_at", Instant.class),
                row.get("updated_at", Instant.class), row.get("version", Long.class));
    }
}
