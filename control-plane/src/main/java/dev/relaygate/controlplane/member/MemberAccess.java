package dev.relaygate.controlplane.member;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import dev.relaygate.controlplane.auditlog.AuditEntry;
import dev.relaygate.controlplane.auditlog.AuditLog;
import dev.relaygate.controlplane.security.Actor;
import dev.relaygate.controlplane.security.Caller;
import dev.relaygate.controlplane.web.ApiException;
import reactor.core.publisher.Mono;

/**
 * Answers "what is this caller's role in that organization?". A caller who is not a member gets the same
 * 404 as for an organization that does not exist, so ids of other tenants reveal nothing. An e-mail invitation
 * is claimed here, the first time a user whose provider vouches for that address asks.
 */
@Component
public final class MemberAccess {

    private final DatabaseClient db;

    private final Users users;

    private final Clock clock;

    private final AuditLog audit;

    private final TransactionalOperator tx;

    public MemberAccess(DatabaseClient db, Users users, Clock clock, AuditLog audit, TransactionalOperator tx) {
        this.db = db;
        this.users = users;
        this.clock = clock;
        this.audit = audit;
        this.tx = tx;
    }

    public Mono<Role> roleOf(Caller caller, UUID organizationId) {
        return db.sql("select role from memberships where organization_id = :org and user_subject = :subject")
            .bind("org", organizationId)
            .bind("subject", caller.subject())
            .map(row -> Role.fromWire(row.get("role", String.class)))
            .one()
            .switchIfEmpty(Mono.defer(() -> claimInvitation(caller, organizationId)))
            .switchIfEmpty(Mono.error(() -> ApiException.notFound("Organization")));
    }

    /** The caller's role, refused with 403 unless {@code allowed}. */
    public Mono<Role> require(Caller caller, UUID organizationId, Predicate<Role> allowed, String action) {
        return roleOf(caller, organizationId).flatMap(role -> allowed.test(role) ? Mono.just(role)
                : Mono.error(ApiException.forbidden("Your role (" + role.wire() + ") may not " + action)));
    }

    /** Claims every pending invitation for the caller's verified address (before listing "my organizations"). */
    public Mono<Void> claimInvitations(Caller caller) {
        Actor actor = caller.actor();
        if (actor.email() == null || !actor.emailVerified()) {
            return Mono.empty();
        }
        Instant now = Instant.now(clock);
        return tx.transactional(users.upsert(actor.subject(), actor.email(), now)
            .thenMany(db.sql("update memberships m set user_subject = :subject, invited_email = null, "
                    + "updated_at = :now where m.invited_email = :email and m.user_subject is null and not exists "
                    + "(select 1 from memberships o where o.organization_id = m.organization_id "
                    + "and o.user_subject = :subject) returning m.id, m.organization_id, m.role")
                .bind("subject", actor.subject())
                .bind("now", now)
                .bind("email", actor.email())
                .map(row -> new Claimed(row.get("id", UUID.class), row.get("organization_id", UUID.class),
                        Role.fromWire(row.get("role", String.class))))
                .all())
            .concatMap(claimed -> audited(caller, claimed))
            .then());
    }

    private Mono<Role> claimInvitation(Caller caller, UUID organizationId) {
        Actor actor = caller.actor();
        if (actor.email() == null || !actor.emailVerified()) {
            return Mono.empty();
        }
        Instant now = Instant.now(clock);
        return tx.transactional(users.upsert(actor.subject(), actor.email(), now)
            .then(db.sql("update memberships set user_subject = :subject, invited_email = null, updated_at = :now "
                    + "where organization_id = :org and invited_email = :email and user_subject is null "
                    + "returning id, organization_id, role")
                .bind("subject", actor.subject())
                .bind("now", now)
                .bind("org", organizationId)
                .bind("email", actor.email())
                .map(row -> new Claimed(row.get("id", UUID.class), row.get("organization_id", UUID.class),
                        Role.fromWire(row.get("role", String.class))))
                .one())
            .flatMap(claimed -> audited(caller, claimed)));
    }

    private Mono<Role> audited(Caller caller, Claimed claimed) {
        Map<String, Object> before = Map.of("email", caller.actor().email(), "role", claimed.role().wire());
        Map<String, Object> after = Map.of("subject", caller.subject(), "role", claimed.role().wire());
        return audit.append(new AuditEntry(claimed.organizationId(), caller.subject(), "member.claim", "membership",
                claimed.id().toString(), before, after, caller.requestId())).thenReturn(claimed.role());
    }

    /** An invitation just claimed. */
    private record Claimed(UUID id, UUID organizationId, Role role) {
    }
}
