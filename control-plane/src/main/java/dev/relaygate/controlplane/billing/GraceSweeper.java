package dev.relaygate.controlplane.billing;

import java.time.Clock;
import java.time.Instant;

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
 * Moves organizations whose subscription stayed past due beyond the grace period to the free plan. No webhook
 * marks the end of a grace period, so time alone must trigger it; the decision is {@link EffectivePlan}'s.
 */
@Component
public final class GraceSweeper implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(GraceSweeper.class);

    private static final int BATCH = 200;

    private final BillingRepository billing;

    private final SubscriptionSync sync;

    private final BillingProperties properties;

    private final Clock clock;

    private volatile Disposable schedule;

    public GraceSweeper(BillingRepository billing, SubscriptionSync sync, BillingProperties properties,
            Clock clock) {
        this.billing = billing;
        this.sync = sync;
        this.properties = properties;
        this.clock = clock;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void start() {
        if (!properties.enabled()) {
            return;
        }
        schedule = Flux.interval(properties.graceSweepInterval())
            .onBackpressureDrop()
            .concatMap(tick -> sweep().onErrorResume(failure -> {
                log.warn("Grace sweep failed: {}", failure.toString());
                return Mono.empty();
            }))
            .subscribe();
    }

    /** Re-applies every subscription whose grace ended by now; answers how many were looked at. */
    public Mono<Long> sweep() {
        Instant cutoff = clock.instant().minus(properties.pastDueGrace());
        return billing.pastDueSince(cutoff, BATCH)
            .concatMap(subscription -> sync.reapply(subscription, "grace-sweep").thenReturn(subscription))
            .count();
    }

    @Override
    public void destroy() {
        Disposable current = schedule;
        if (current != null) {
            current.dispose();
        }
    }
}
