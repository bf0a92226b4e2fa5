package dev.relaygate.controlplane.member;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.UUID;

import org.springframework.stereotype.Service;

import dev.relaygate.controlplane.auditlog.AuditEntry;
import dev.relaygate.controlplane.auditlog.AuditLog;
import dev.relaygate.controlplane.idempotency.Idempotency;
import dev.relaygate.controlplane.idempotency.IdempotencyKey;
import dev.relaygate.controlplane.propagation.Mutations;
import dev.relaygate.controlplane.propagation.Publication;
import dev.relaygate.controlplane.security.Caller;
import dev.relaygate.controlplane.web.ApiException;
import dev.relaygate.controlplane.web.Page;
import dev.relaygate.controlplane.web.PageCursor;
import reactor.core.publisher.Mono;

/**
 * Members of an organization: invite, change role, remove. Owners and admins manage members; only owners
 * grant or take the owner role; anyone may leave; an organization never loses its last owner.
 */
@Service
public final class MemberService {

    private final MemberRepository members;

    private final MemberAccess access;

    private final Users users;

    private final AuditLog audit;

    private final Mutations mutations;

    private final Idempotency idempotency;

    private final Clock clock;

    public MemberService(MemberRepository members, MemberAccess access, Users users, AuditLog audit,
            Mutations mutations, Idempotency idempotency, Clock clock) {
        this.members = members;
        this.access = access;
        this.users = users;
        this.audit = audit;
        this.mutations = mutations;
        this.idempotency = idempotency;
        this.clock = clock;
    }

    public Mono<MemberView> invite(Caller caller, UUID organizationId, InviteMemberRequest request,
            IdempotencyKey idempotencyKey) {
        return Mono.defer(() -> {
            Instant now = now();
            String email = request.email() == null ? null : request.email().trim().toLowerCase(Locale.ROOT);
            Mono<Publication<MemberView>> create = (request.subject() == null ? Mono.<Void>empty()
                    : users.upsert(request.subject(), null, now))
                .then(members.insert(organizationId, request.subject(), email, request.role(), caller.subject(), now))
                .switchIfEmpty(Mono.error(() -> ApiException.conflict("This person is already a member")))
                .flatMap(member -> audit(caller, "member.invite", member, null, member)
                    .thenReturn(Publication.quiet(MemberView.of(member))));
            return mutations.commit(access.require(caller, organizationId, Role::canManageMembers, "manage members")
                .flatMap(role -> grantable(role, request.role()))
                .then(idempotency.guard(idempotencyKey, MemberView.class, create)));
        });
    }

    public Mono<Page<MemberView>> list(Caller caller, UUID organizationId, String cursor, Integer limit, Role role) {
        return Mono.defer(() -> {
            PageCursor after = PageCursor.decode(cursor);
            int size = PageCursor.limit(limit);
            return access.roleOf(caller, organizationId)
                .thenMany(members.page(organizationId, after, size + 1, role))
                .collectList()
                .map(rows -> PageCursor.page(rows, size, m -> new PageCursor(m.createdAt(), m.id()), MemberView::of));
        });
    }

    public Mono<MemberView> get(Caller caller, UUID organizationId, UUID memberId) {
        return access.roleOf(caller, organizationId).then(existing(organizationId, memberId)).map(MemberView::of);
    }

    public Mono<MemberView> changeRole(Caller caller, UUID organizationId, UUID memberId, UpdateMemberRequest request) {
        return Mono.defer(() -> {
            Instant now = now();
            Mono<Publication<MemberView>> change = access.require(caller, organizationId, Role::canManageMembers,
                    "manage members")
                .flatMap(role -> existing(organizationId, memberId).flatMap(before -> {
                    if (before.role() == request.role()) {
                        return Mono.just(Publication.quiet(MemberView.of(before)));
                    }
                    return grantable(role, before.role())
                        .then(grantable(role, request.role()))
                        .then(before.role() == Role.OWNER ? keepAnOwner(organizationId) : Mono.empty())
                        .then(members.updateRole(organizationId, memberId, request.role(), now))
                        .flatMap(after -> audit(caller, "member.role", after, before, after)
                            .thenReturn(Publication.quiet(MemberView.of(after))));
                }));
            return mutations.commit(change);
        });
    }

    public Mono<Void> remove(Caller caller, UUID organizationId, UUID memberId) {
        Mono<Publication<Boolean>> change = access.roleOf(caller, organizationId)
            .flatMap(role -> existing(organizationId, memberId).flatMap(before -> {
                boolean leaving = caller.subject().equals(before.subject());
                Mono<Void> allowed = leaving ? Mono.empty()
                        : role.canManageMembers() ? grantable(role, before.role())
                                : Mono.error(ApiException.forbidden("Your role (" + role.wire()
                                        + ") may not manage members"));
                return allowed
                    .then(before.role() == Role.OWNER ? keepAnOwner(organizationId) : Mono.empty())
                    .then(members.delete(organizationId, memberId))
                    .then(audit(caller, "member.remove", before, before, null))
                    .thenReturn(Publication.quiet(Boolean.TRUE));
            }));
        return mutations.commit(change).then();
    }

    /** Only owners may touch the owner role (grant it, or change or remove an owner). */
    private static Mono<Void> grantable(Role actorRole, Role target) {
        if (target == Role.OWNER && actorRole != Role.OWNER) {
            return Mono.error(ApiException.forbidden("Only owners may grant, change or remove the owner role"));
        }
        return Mono.empty();
    }

    private Mono<Void> keepAnOwner(UUID organizationId) {
        return members.lockAndCountOwners(organizationId).flatMap(owners -> owners <= 1
                ? Mono.error(ApiException.conflict("The last owner of an organization cannot be removed or demoted"))
                : Mono.empty());
    }

    private Mono<Member> existing(UUID organizationId, UUID memberId) {
        return members.find(organizationId, memberId).switchIfEmpty(Mono.error(() -> ApiException.notFound("Member")));
    }

    private Mono<Void> audit(Caller caller, String action, Member member, Member before, Member after) {
        return audit.append(new AuditEntry(member.organizationId(), caller.subject(), action, "membership",
                member.id().toString(), before == null ? null : MemberView.of(before),
                after == null ? null : MemberView.of(after), caller.requestId()));
    }

    private Instant now() {
        return Instant.now(clock).truncatedTo(ChronoUnit.MICROS);
    }
}
