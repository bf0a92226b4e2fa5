package dev.relaygate.controlplane.propagation;

import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * How every change is applied: the change, its audit entry and its snapshots (into the outbox) commit in one
 * transaction; then the snapshots are published to Redis, and only then does the caller get an answer.
 */
@Component
public final class Mutations {

    private final TransactionalOperator tx;

    private final SnapshotOutbox outbox;

    private final SnapshotPublisher publisher;

    public Mutations(TransactionalOperator tx, SnapshotOutbox outbox, SnapshotPublisher publisher) {
        this.tx = tx;
        this.outbox = outbox;
        this.publisher = publisher;
    }

    public <T> Mono<T> commit(Mono<Publication<T>> change) {
        Mono<Publication<T>> queued = change.flatMap(publication -> Flux.fromIterable(publication.snapshots())
            .concatMap(outbox::enqueue)
            .then(Mono.just(publication)));
        return tx.transactional(queued)
            .flatMap(done -> publisher.publish(done.snapshots()).thenReturn(done.value()));
    }
}
