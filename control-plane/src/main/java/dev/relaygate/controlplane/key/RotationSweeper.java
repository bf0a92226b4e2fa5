package dev.relaygate.controlplane.key;

import java.time.Clock;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.relaygate.controlplane.auditlog.AuditEntry;
import dev.relaygate.controlplane.auditlog.AuditLog;
import dev.relaygate.controlplane.propagation.Mutations;
import dev.relaygate.controlplane.propagation.PendingSnapshot;
import dev.relaygate.controlplane.propagation.Publication;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Retires rotated-out secrets whose grace period ended: forgets their hash and republishes their snapshot as
 * revoked. Gateways already refuse them from the grace end on ({@code expiresAt}); this makes the refusal
 * permanent and lets Postgres forget the hash.
 */
@Component
public final class RotationSweeper implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(RotationSweeper.class);

    /** The audit-log actor of changes the control plane makes on its own. */
    public static final String SYSTEM_ACTOR = "relaygate:system";

    private static final int BATCH = 500;

    private final ApiKeyRepository keys;

    private final KeySnapshots snapshots;

    private final Mutations mutations;

    private final Clock clock;

    private final AuditLog audit;

    private final KeyProperties properties;

    private volatile Disposable schedule;

    public RotationSweeper(ApiKeyRepository keys, KeySnapshots snapshots, Mutations mutations, Clock clock,
            KeyProperties properties, AuditLog audit) {
        this.audit = audit;
        this.keys = keys;
        this.snapshots = snapshots;
        this.mutations = mutations;
        this.clock = clock;
        this.properties = properties;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void start() {
        schedule = Flux.interval(properties.rotationSweepInterval())
            .onBackpressureDrop()
            .concatMap(tick -> sweep().onErrorResume(failure -> {
                log.warn("Rotation sweep failed: {}", failure.toString());
                return Mono.empty();
            }))
            .subscribe();
    }

    /** Retires every previous secret whose grace ended by now; answers how many. */
    public Mono<Integer> sweep() {
        Mono<Publication<Integer>> change = keys.retireExpiredPreviousSecrets(Instant.now(clock), BATCH)
            .concatMap(retired -> audit.append(new AuditEntry(retired.key().organizationId(), SYSTEM_ACTOR,
                    "key.retire-previous-secret", "api_key", retired.key().id().toString(), null,
                    ApiKeyView.of(retired.key()), null)).thenReturn(retired))
            .collectList()
            .map(retired -> Publication.of(retired.size(), retired.stream()
                .<PendingSnapshot>mapMulti((r, sink) -> {
                    sink.accept(snapshots.retired(r.key(), r.hash()));
                    snapshots.of(r.key()).forEach(sink);
                })
                .toList()));
        return mutations.commit(change);
    }

    @Override
    public void destroy() {
        Disposable current = schedule;
        if (current != null) {
            current.dispose();
        }
    }
}
