package dev.relaygate.controlplane.member;

import java.time.Instant;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import dev.relaygate.controlplane.web.PageCursor;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Memberships in Postgres, always addressed within one organization. */
@Component
public final class MemberRepository {

    private static final String COLUMNS =
            "id, organization_id, user_subject, invited_email, role, created_by, created_at, updated_at";

    private final DatabaseClient db;

    public MemberRepository(DatabaseClient db) {
        this.db = db;
    }

    public Mono<Member> insert(UUID organizationId, String subject, String email, Role role, String createdBy,
            Instant now) {
        DatabaseClient.GenericExecuteSpec spec = db.sql("insert into memberships (id, organization_id, user_subject, "
                + "invited_email, role, created_by, created_at, updated_at) values (:id, :org, :subject, :email, "
                + ":role, :createdBy, :now, :now) on conflict do nothing returning " + COLUMNS)
            .bind("id", UUID.randomUUID())
            .bind("org", organizationId)
            .bind("role", role.wire())
            .bind("createdBy", createdBy)
            .bind("now", now);
        spec = subject == null ? spec.bindNull("subject", String.class) : spec.bind("subject", subject);
        spec = email == null ? spec.bindNull("email", String.class) : spec.bind("email", email);
        return spec.map(MemberRepository::member).one();
    }

    public Mono<Member> find(UUID organizationId, UUID id) {
        return db.sql("select " + COLUMNS + " from memberships where organization_id = :org and id = :id")
            .bind("org", organizationId)
            .bind("id", id)
            .map(MemberRepository::member)
            .one();
    }

    public Flux<Member> page(UUID organizationId, PageCursor after, int limit, Role role) {
        StringBuilder sql = new StringBuilder("select " + COLUMNS + " from memberships where organization_id = :org");
        if (after != null) {
            sql.append(" and (created_at, id) < (:afterCreatedAt, :afterId)");
        }
        if (role != null) {
            sql.append(" and role = :role");
        }
        sql.append(" order by created_at desc, id desc limit :limit");
        DatabaseClient.GenericExecuteSpec spec = db.sql(sql.toString()).bind("org", organizationId).bind("limit",
                limit);
        if (after != null) {
            spec = spec.bind("afterCreatedAt", after.createdAt()).bind("afterId", after.id());
        }
        if (role != null) {
            spec = spec.bind("role", role.wire());
        }
        return spec.map(MemberRepository::member).all();
    }

    /**
     * Locks the organization's owner memberships and counts them, so two concurrent removals cannot both see a
     * second owner and leave none.
     */
    public Mono<Long> lockAndCountOwners(UUID organizationId) {
        return db.sql("select id from memberships where organization_id = :org and role = 'owner' for update")
            .bind("org", organizationId)
            .map(row -> 1L)
            .all()
            .count();
    }

    public Mono<Member> updateRole(UUID organizationId, UUID id, Role role, Instant now) {
        return db.sql("update memberships set role = :role, updated_at = :now where organization_id = :org "
                + "and id = :id returning " + COLUMNS)
            .bind("role", role.wire())
            .bind("now", now)
            .bind("org", organizationId)
            .bind("id", id)
            .map(MemberRepository::member)
            .one();
    }

    public Mono<Long> delete(UUID organizationId, UUID id) {
        return db.sql("delete from memberships where organization_id = :org and id = :id")
            .bind("org", organizationId)
            .bind("id", id)
            .fetch()
            .rowsUpdated();
    }

    static Member member(Readable row) {
        return new Member(row.get("id", UUID.class), row.get("organization_id", UUID.class),
                row.get("user_subject", String.class), row.get("invited_email", String.class),
                Role.fromWire(row.get("role", String.class)), row.get("created_by", String.class),
                row.get("created_at", Instant.class), row.get("updated_at", Instant.class));
    }
}
