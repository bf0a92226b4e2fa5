package dev.relaygate.controlplane.key;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;

import dev.relaygate.controlplane.audit.AuditEntry;
import dev.relaygate.controlplane.audit.AuditLog;
import dev.relaygate.controlplane.member.MemberAccess;
import dev.relaygate.controlplane.member.Role;
import dev.relaygate.controlplane.propagation.PendingSnapshot;
import dev.relaygate.controlplane.propagation.SnapshotOutbox;
import dev.relaygate.controlplane.propagation.SnapshotPublisher;
import dev.relaygate.controlplane.security.Caller;
import dev.relaygate.controlplane.web.ApiException;
import dev.relaygate.controlplane.web.Page;
import dev.relaygate.controlplane.web.PageCursor;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The API-key lifecycle. Each change commits the key, its audit entry and its snapshots (into the outbox) in
 * one transaction, then publishes the snapshots to Redis before the caller gets an answer.
 */
@Service
public final class ApiKeyService {

    private final ApiKeyRepository keys;

    private final KeySnapshots snapshots;

    private final MemberAccess access;

    private final AuditLog audit;

    private final SnapshotOutbox outbox;

    private final SnapshotPublisher publisher;

    private final TransactionalOperator tx;

    private final Clock clock;

    private final SecureRandom random = new SecureRandom();

    public ApiKeyService(ApiKeyRepository keys, KeySnapshots snapshots, MemberAccess access, AuditLog audit,
            SnapshotOutbox outbox, SnapshotPublisher publisher, TransactionalOperator tx, Clock clock) {
        this.keys = keys;
        this.snapshots = snapshots;
        this.access = access;
        this.audit = audit;
        this.outbox = outbox;
        this.publisher = publisher;
        this.tx = tx;
        this.clock = clock;
    }

    public Mono<IssuedApiKey> create(Caller caller, UUID organizationId, CreateApiKeyRequest request) {
        Instant now = now();
        if (request.expiresAt() != null && !request.expiresAt().isAfter(now)) {
            return Mono.error(ApiException.invalidField("expiresAt", "must be in the future"));
        }
        IssuedSecret secret = IssuedSecret.generate(random);
        Mono<ApiKey> change = access.require(caller, organizationId, Role::canManageKeys, "manage keys")
            .then(keys.insert(UUID.randomUUID(), organizationId, request.name().strip(), secret, caller.subject(),
                    now, request.expiresAt(), KeyPolicy.OPEN))
            .flatMap(key -> audit.append(new AuditEntry(organizationId, caller.subject(), "key.create", "api_key",
                    key.id().toString(), null, ApiKeyView.of(key), caller.requestId())).thenReturn(key));
        return commitAndPublish(change).map(key -> IssuedApiKey.of(key, secret.secret()));
    }

    public Mono<Page<ApiKeyView>> list(Caller caller, UUID organizationId, String cursor, Integer limit,
            Boolean revoked, String nameContains) {
        PageCursor after = PageCursor.decode(cursor);
        int size = PageCursor.limit(limit);
        String name = nameContains == null || nameContains.isBlank() ? null : nameContains;
        return access.roleOf(caller, organizationId)
            .thenMany(keys.page(organizationId, after, size + 1, revoked, name))
            .collectList()
            .map(rows -> PageCursor.page(rows, size, key -> new PageCursor(key.createdAt(), key.id()),
                    ApiKeyView::of));
    }

    public Mono<ApiKeyView> get(Caller caller, UUID organizationId, UUID keyId) {
        return access.roleOf(caller, organizationId)
            .then(keys.find(organizationId, keyId))
            .switchIfEmpty(Mono.error(() -> ApiException.notFound("Key")))
            .map(ApiKeyView::of);
    }

    /** Revokes a key; revoking a revoked key answers the key as it is. */
    public Mono<ApiKeyView> revoke(Caller caller, UUID organizationId, UUID keyId) {
        Instant now = now();
        return access.require(caller, organizationId, Role::canManageKeys, "manage keys")
            .then(keys.find(organizationId, keyId))
            .switchIfEmpty(Mono.error(() -> ApiException.notFound("Key")))
            .flatMap(before -> {
                if (before.revoked()) {
                    return Mono.just(ApiKeyView.of(before));
                }
                Mono<ApiKey> change = keys.revoke(organizationId, keyId, now)
                    .flatMap(after -> audit.append(new AuditEntry(organizationId, caller.subject(), "key.revoke",
                            "api_key", keyId.toString(), ApiKeyView.of(before), ApiKeyView.of(after),
                            caller.requestId())).thenReturn(after))
                    // A concurrent revoke won the race: its answer is ours too.
                    .switchIfEmpty(Mono.defer(() -> keys.find(organizationId, keyId)));
                return commitAndPublish(change).map(ApiKeyView::of);
            });
    }

    /** Runs {@code change} in a transaction that also queues the key's snapshots, then publishes them. */
    Mono<ApiKey> commitAndPublish(Mono<ApiKey> change) {
        return commitAndPublish(change, key -> List.of());
    }

    Mono<ApiKey> commitAndPublish(Mono<ApiKey> change,
            Function<ApiKey, List<PendingSnapshot>> extra) {
        Mono<Committed> work = change.flatMap(key -> {
            List<PendingSnapshot> pending = new ArrayList<>(snapshots.of(key));
            pending.addAll(extra.apply(key));
            return Flux.fromIterable(pending).concatMap(outbox::enqueue).collectList()
                .map(queued -> new Committed(key, queued));
        });
        return tx.transactional(work).flatMap(done -> publisher.publish(done.snapshots()).thenReturn(done.key()));
    }

    private Instant now() {
        // Postgres keeps microseconds; truncating here makes what we answer equal what we stored.
        return Instant.now(clock).truncatedTo(ChronoUnit.MICROS);
    }

    private record Committed(ApiKey key, List<PendingSnapshot> snapshots) {
    }
}
