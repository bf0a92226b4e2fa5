package dev.relaygate.controlplane.member;

import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Predicate;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

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

    public MemberAccess(DatabaseClient db, Users users, Clock clock) {
        this.db = db;
        this.users = users;
        this.clock = clock;
    }

    public Mono<Role> roleOf(Caller caller, UUID organizationId) {
        return db.sql("select role from memberships where organization_id = :org and user_subject = :subject")
            .bind("org", organizationId)
            .bind("subject", caller.subject())
            .map(row -> Role.fromWire(row.get("role", String.class)))
            .one()
            .switchIfEmpty(Mono.defer(() -> claimInvitation(caller.actor(), organizationId)))
            .switchIfEmpty(Mono.error(() -> ApiException.notFound("Organization")));
    }

    /** The caller's role, refused with 403 unless {@code allowed}. */
    public Mono<Role> require(Caller caller, UUID organizationId, Predicate<Role> allowed, String action) {
        return roleOf(caller, organizationId).flatMap(role -> allowed.test(role) ? Mono.just(role)
                : Mono.error(ApiException.forbidden("Your role (" + role.wire() + ") may not " + action)));
    }

    /** Claims every pending invitation for the actor's verified address (before listing "my organizations"). */
    public Mono<Void> claimInvitations(Actor actor) {
        if (actor.email() == null || !actor.emailVerified()) {
            return Mono.empty();
        }
        Instant now = Instant.now(clock);
        return users.upsert(actor.subject(), actor.email(), now)
            .then(db.sql("update memberships m set user_subject = :subject, invited_email = null, updated_at = :now "
                    + "where m.invited_email = :email and m.user_subject is null and not exists (select 1 from "
                    + "memberships o where o.organization_id = m.organization_id and o.user_subject = :subject)")
                .bind("subject", actor.subject())
                .bind("now", now)
                .bind("email", actor.email())
                .then());
    }

    private Mono<Role> claimInvitation(Actor actor, UUID organizationId) {
        if (actor.email() == null || !actor.emailVerified()) {
            return Mono.empty();
        }
        Instant now = Instant.now(clock);
        return users.upsert(actor.subject(), actor.email(), now)
            .then(db.sql("update memberships set user_subject = :subject, invited_email = null, updated_at = :now "
                    + "where organization_id = :org and invited_email = :email and user_subject is null "
                    + "returning role")
                .bind("subject", actor.subject())
                .bind("now", now)
                .bind("org", organizationId)
                .bind("email", actor.email())
                .map(row -> Role.fromWire(row.get("role", String.class)))
                .one());
    }
}
