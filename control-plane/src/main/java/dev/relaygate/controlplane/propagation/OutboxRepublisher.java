package dev.relaygate.controlplane.propagation;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Retries publications that failed (Redis down, or a crash after commit): once at start-up, then every
 * {@code relaygate.redis.republish-interval}. Also publishes every live plan at start-up, so a fresh Redis
 * has the default plan before the first gateway asks.
 */
@Component
public final class OutboxRepublisher implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(OutboxRepublisher.class);

    private static final int BATCH = 500;

    private final SnapshotOutbox outbox;

    private final SnapshotPublisher publisher;

    private final StartupSnapshots startupSnapshots;

    private final Duration interval;

    private volatile Disposable schedule;

    public OutboxRepublisher(SnapshotOutbox outbox, SnapshotPublisher publisher, StartupSnapshots startupSnapshots,
            RedisProperties properties) {
        this.outbox = outbox;
        this.publisher = publisher;
        this.startupSnapshots = startupSnapshots;
        this.interval = properties.republishInterval();
    }

    @EventListener(ApplicationReadyEvent.class)
    public void start() {
        // Start-up may wait for this first round: it is bounded by the Redis timeouts.
        startupSnapshots.all()
            .concatMap(publisher::refresh)
            .then(drain())
            .timeout(Duration.ofSeconds(30))
            .onErrorResume(failure -> {
                log.warn("Start-up publication failed: {}", failure.toString());
                return Mono.empty();
            })
            .block();
        schedule = Flux.interval(interval, interval)
            .onBackpressureDrop()
            .concatMap(tick -> drain().onErrorResume(failure -> {
                log.warn("Re-publication round failed: {}", failure.toString());
                return Mono.empty();
            }))
            .subscribe();
    }

    /** Publishes every queued snapshot once. */
    public Mono<Void> drain() {
        return outbox.pending(BATCH).collectList().flatMap(publisher::publish);
    }

    @Override
    public void destroy() {
        Disposable current = schedule;
        if (current != null) {
            current.dispose();
        }
    }
}
