package dev.relaygate.controlplane.key;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.springframework.stereotype.Service;

import dev.relaygate.controlplane.auditlog.AuditEntry;
import dev.relaygate.controlplane.auditlog.AuditLog;
import dev.relaygate.controlplane.idempotency.Idempotency;
import dev.relaygate.controlplane.idempotency.IdempotencyKey;
import dev.relaygate.controlplane.member.MemberAccess;
import dev.relaygate.controlplane.member.Role;
import dev.relaygate.controlplane.propagation.Mutations;
import dev.relaygate.controlplane.propagation.PendingSnapshot;
import dev.relaygate.controlplane.propagation.Publication;
import dev.relaygate.controlplane.security.Caller;
import dev.relaygate.controlplane.web.ApiException;
import dev.relaygate.controlplane.web.Page;
import dev.relaygate.controlplane.web.PageCursor;
import reactor.core.publisher.Mono;

/**
 * The API-key lifecycle: create, read, update (name, expiry, policy), rotate, revoke. Every change goes through
 * {@link Mutations}: key, audit entry and snapshots commit together, then the snapshots reach Redis before the
 * caller gets an answer.
 */
@Service
public final class ApiKeyService {

    /** The latest expiry a key may have: the last second of year 9999 (four-digit years, as RFC 3339 has them). */
    static final Instant LATEST_EXPIRY = Instant.parse("9999-12-31T23:59:59Z");

    private static final String MANAGE = "manage keys";

    private final ApiKeyRepository keys;

    private final KeySnapshots snapshots;

    private final MemberAccess access;

    private final AuditLog audit;

    private final Mutations mutations;

    private final Idempotency idempotency;

    private final KeyProperties properties;

    private final Clock clock;

    private final SecureRandom random = new SecureRandom();

    public ApiKeyService(ApiKeyRepository keys, KeySnapshots snapshots, MemberAccess access, AuditLog audit,
            Mutations mutations, Idempotency idempotency, KeyProperties properties, Clock clock) {
        this.keys = keys;
        this.snapshots = snapshots;
        this.access = access;
        this.audit = audit;
        this.mutations = mutations;
        this.idempotency = idempotency;
        this.properties = properties;
        this.clock = clock;
    }

    public Mono<IssuedApiKey> create(Caller caller, UUID organizationId, CreateApiKeyRequest request,
            IdempotencyKey idempotencyKey) {
        return Mono.defer(() -> {
            Instant now = now();
            requireFuture(request.expiresAt(), now);
            KeyPolicy policy = KeyPolicyValidator.validate(request.policy());
            IssuedSecret secret = IssuedSecret.generate(random);
            Mono<Publication<IssuedApiKey>> create = keys.insert(UUID.randomUUID(), organizationId, request.name().strip(), secret, caller.subject(),
                        now, request.expiresAt(), policy)
                .flatMap(key -> audit(caller, "key.create", key, null, key)
                    .thenReturn(Publication.of(IssuedApiKey.of(key, secret.secret()), snapshots.of(key))));
            // Membership is checked before the idempotency record is even looked at, so a stranger cannot probe
            // for another tenant's stored answers.
            return mutations.commit(access.require(caller, organizationId, Role::canManageKeys, MANAGE)
                .then(idempotency.guard(idempotencyKey, IssuedApiKey.class, create)));
        });
    }

    public Mono<Page<ApiKeyView>> list(Caller caller, UUID organizationId, String cursor, Integer limit,
            Boolean revoked, String nameContains) {
        return Mono.defer(() -> {
            PageCursor after = PageCursor.decode(cursor);
            int size = PageCursor.limit(limit);
            String name = nameContains == null || nameContains.isBlank() ? null : nameContains;
            return access.roleOf(caller, organizationId)
                .thenMany(keys.page(organizationId, after, size + 1, revoked, name))
                .collectList()
                .map(rows -> PageCursor.page(rows, size, key -> new PageCursor(key.createdAt(), key.id()),
                        ApiKeyView::of));
        });
    }

    public Mono<ApiKeyView> get(Caller caller, UUID organizationId, UUID keyId) {
        return access.roleOf(caller, organizationId)
            .then(existing(organizationId, keyId))
            .map(ApiKeyView::of);
    }

    public Mono<ApiKeyView> update(Caller caller, UUID organizationId, UUID keyId, UpdateApiKeyRequest request) {
        return Mono.defer(() -> {
            Instant now = now();
            boolean removeExpiry = Boolean.TRUE.equals(request.removeExpiry());
            if (removeExpiry && request.expiresAt() != null) {
                throw ApiException.invalidField("removeExpiry", "cannot be combined with expiresAt");
            }
            requireFuture(request.expiresAt(), now);
            KeyPolicy policy = request.policy() == null ? null : KeyPolicyValidator.validate(request.policy());
            String name = request.name() == null ? null : request.name().strip();
            Mono<Publication<ApiKeyView>> change = access.require(caller, organizationId, Role::canManageKeys, MANAGE)
                .then(existing(organizationId, keyId))
                .flatMap(before -> keys.update(organizationId, keyId, before.version(), name, request.expiresAt(),
                        removeExpiry, policy, now)
                    .switchIfEmpty(Mono.error(() -> concurrentChange()))
                    .flatMap(after -> audit(caller, "key.update", after, before, after)
                        .thenReturn(Publication.of(ApiKeyView.of(after), snapshots.of(after)))));
            return mutations.commit(change);
        });
    }

    /**
     * Issues a new secret. The old one keeps working until the grace period ends (its snapshot's
     * {@code expiresAt}); a secret still in grace from an earlier rotation is retired at once.
     */
    public Mono<IssuedApiKey> rotate(Caller caller, UUID organizationId, UUID keyId, RotateApiKeyRequest request,
            IdempotencyKey idempotencyKey) {
        return Mono.defer(() -> {
            Instant now = now();
            Duration grace = grace(request);
            IssuedSecret secret = IssuedSecret.generate(random);
            Instant graceEnd = grace.isZero() ? null : now.plus(grace);
            Mono<Publication<IssuedApiKey>> change = existing(organizationId, keyId)
                .flatMap(before -> {
                    if (before.revoked()) {
                        return Mono.error(ApiException.conflict("A revoked key cannot be rotated"));
                    }
                    return keys.rotate(organizationId, keyId, before.version(), secret, graceEnd, now)
                        .switchIfEmpty(Mono.error(() -> concurrentChange()))
                        .flatMap(after -> audit(caller, "key.rotate", after, before, after)
                            .thenReturn(Publication.of(IssuedApiKey.of(after, secret.secret()),
                                    rotationSnapshots(before, after))));
                });
            return mutations.commit(access.require(caller, organizationId, Role::canManageKeys, MANAGE)
                .then(idempotency.guard(idempotencyKey, IssuedApiKey.class, change)));
        });
    }

    /** Revokes a key; revoking a revoked key answers the key as it is. */
    public Mono<ApiKeyView> revoke(Caller caller, UUID organizationId, UUID keyId) {
        return Mono.defer(() -> {
            Instant now = now();
            Mono<Publication<ApiKeyView>> change = access.require(caller, organizationId, Role::canManageKeys, MANAGE)
                .then(existing(organizationId, keyId))
                .flatMap(before -> {
                    if (before.revoked()) {
                        return Mono.just(Publication.quiet(ApiKeyView.of(before)));
                    }
                    return keys.revoke(organizationId, keyId, now)
                        .flatMap(after -> audit(caller, "key.revoke", after, before, after)
                            .thenReturn(Publication.of(ApiKeyView.of(after), snapshots.of(after))))
                        // A concurrent revoke won the race: its answer is ours too.
                        .switchIfEmpty(Mono.defer(() -> existing(organizationId, keyId)
                            .map(key -> Publication.quiet(ApiKeyView.of(key)))));
                });
            return mutations.commit(change);
        });
    }

    private List<PendingSnapshot> rotationSnapshots(ApiKey before, ApiKey after) {
        List<PendingSnapshot> pending = new ArrayList<>(snapshots.of(after));
        if (after.previousSecretHash() == null) {
            pending.add(snapshots.retired(after, before.secretHash()));
        }
        if (before.previousSecretHash() != null) {
            pending.add(snapshots.retired(after, before.previousSecretHash()));
        }
        return pending;
    }

    private Duration grace(RotateApiKeyRequest request) {
        if (request == null || request.gracePeriodSeconds() == null) {
            return properties.rotationGrace();
        }
        Duration asked = Duration.ofSeconds(request.gracePeriodSeconds());
        if (asked.compareTo(properties.maxRotationGrace()) > 0) {
            throw ApiException.invalidField("gracePeriodSeconds",
                    "must be at most " + properties.maxRotationGrace().toSeconds());
        }
        return asked;
    }

    private Mono<ApiKey> existing(UUID organizationId, UUID keyId) {
        return keys.find(organizationId, keyId).switchIfEmpty(Mono.error(() -> ApiException.notFound("Key")));
    }

    private Mono<Void> audit(Caller caller, String action, ApiKey key, ApiKey before, ApiKey after) {
        return audit.append(new AuditEntry(key.organizationId(), caller.subject(), action, "api_key",
                key.id().toString(), before == null ? null : ApiKeyView.of(before),
                after == null ? null : ApiKeyView.of(after), caller.requestId()));
    }

    private static void requireFuture(Instant expiresAt, Instant now) {
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            throw ApiException.invalidField("expiresAt", "must be in the future");
        }
        // Java reads years up to 1,000,000,000 but PostgreSQL's timestamptz ends in 294276: a later expiry would
        // fail the insert with a 500 instead of naming the field.
        if (expiresAt != null && expiresAt.isAfter(LATEST_EXPIRY)) {
            throw ApiException.invalidField("expiresAt", "must be at most " + LATEST_EXPIRY);
        }
    }

    private static ApiException concurrentChange() {
        return ApiException.conflict("The key changed while this request was applied; retry");
    }

    private Instant now() {
        // Postgres keeps microseconds; truncating here makes what we answer equal what we stored.
        return Instant.now(clock).truncatedTo(ChronoUnit.MICROS);
    }
}
