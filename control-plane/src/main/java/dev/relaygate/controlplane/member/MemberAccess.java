package dev.relaygate.controlplane.member;

import java.util.UUID;
import java.util.function.Predicate;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import dev.relaygate.controlplane.security.Caller;
import dev.relaygate.controlplane.web.ApiException;
import reactor.core.publisher.Mono;

/**
 * Answers "what is this caller's role in that organization?". A caller who is not a member gets the same
 * 404 as for an organization that does not exist, so ids of other tenants reveal nothing.
 */
@Component
public final class MemberAccess {

    private final DatabaseClient db;

    public MemberAccess(DatabaseClient db) {
        this.db = db;
    }

    public Mono<Role> roleOf(Caller caller, UUID organizationId) {
        return db.sql("select role from memberships where organization_id = :org and user_subject = :subject")
            .bind("org", organizationId)
            .bind("subject", caller.subject())
            .map(row -> Role.fromWire(row.get("role", String.class)))
            .one()
            .switchIfEmpty(Mono.error(() -> ApiException.notFound("Organization")));
    }

    /** The caller's role, refused with 403 unless {@code allowed}. */
    public Mono<Role> require(Caller caller, UUID organizationId, Predicate<Role> allowed,
            String action) {
        return roleOf(caller, organizationId).flatMap(role -> allowed.test(role) ? Mono.just(role)
                : Mono.error(ApiException.forbidden("Your role (" + role.wire() + ") may not " + action)));
    }
}
