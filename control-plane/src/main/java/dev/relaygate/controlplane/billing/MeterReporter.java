package dev.relaygate.controlplane.billing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reports compute units from the usage aggregates to the Stripe Billing Meter (issue #16), so that retries, restarts,
 * catch-up after an outage and several control planes never bill a compute unit twice. A round has two steps:
 * <ol>
 * <li><b>Plan</b>, in one transaction holding the watermark row (one control plane at a time): every completed
 * hour (ended at least {@code settle-delay} ago) from the watermark minus {@code late-usage-window} on becomes a
 * slice per organization, with its identifier and value fixed in {@code meter_reports}. An hour reported before
 * that has more usage now gets a new slice with the difference, never a changed one.</li>
 * <li><b>Send</b> each pending slice in its own transaction that locks it ({@code SKIP LOCKED}), calls Stripe and
 * marks it sent. A crash after Stripe accepted it and before the commit leaves it pending: the next round resends
 * the same identifier, which Stripe counts once.</li>
 * </ol>
 * stripe-java runs on the {@code stripe} scheduler ({@link StripeApi}); nothing here blocks a thread.
 */
@Component
public final class MeterReporter implements DisposableBean {

    /** Seconds since the last hour whose usage has been fully reported (planned and acknowledged by Stripe). */
    public static final String LAG_METRIC = "relaygate.billing.meter.lag";

    /** Slices sent, by result: {@code sent}, {@code failed} (retried), {@code refused} (not retried). */
    public static final String SLICES_METRIC = "relaygate.billing.meter.slices";

    private static final Logger log = LoggerFactory.getLogger(MeterReporter.class);

    /** Stripe refuses meter events older than 35 days; planning never reaches further back than this. */
    private static final Duration STRIPE_MAX_AGE = Duration.ofDays(34);

    private final MeterLedger ledger;

    private final StripeApi stripe;

    private final BillingProperties properties;

    private final Clock clock;

    private final TransactionalOperator tx;

    private final AtomicReference<Instant> reportedThrough = new AtomicReference<>();

    private final Counter sent;

    private final Counter failed;

    private final Counter refused;

    private volatile Disposable schedule;

    public MeterReporter(MeterLedger ledger, StripeApi stripe, BillingProperties properties, Clock clock,
            TransactionalOperator tx, MeterRegistry meters) {
        this.ledger = ledger;
        this.stripe = stripe;
        this.properties = properties;
        this.clock = clock;
        this.tx = tx;
        Gauge.builder(LAG_METRIC, this, MeterReporter::lagSeconds)
            .baseUnit("seconds")
            .description("How far usage reported to the Stripe Billing Meter is behind now")
            .register(meters);
        this.sent = meters.counter(SLICES_METRIC, "result", "sent");
        this.failed = meters.counter(SLICES_METRIC, "result", "failed");
        this.refused = meters.counter(SLICES_METRIC, "result", "refused");
    }

    @EventListener(ApplicationReadyEvent.class)
    public void start() {
        if (!properties.meterEnabled()) {
            return;
        }
        schedule = Flux.interval(properties.meter().interval())
            .onBackpressureDrop()
            .concatMap(tick -> report().onErrorResume(failure -> {
                log.warn("Meter reporting round failed: {}", failure.getClass().getName());
                return Mono.empty();
            }))
            .subscribe();
    }

    /**
     * One round: plans what is due, then sends what is pending, oldest first; answers how many slices Stripe
     * acknowledged. A slice Stripe refuses for good is set aside and the round goes on; any other failure (Stripe
     * or Postgres unavailable, a timeout) ends the round with that error, and the next round resends.
     */
    public Mono<Long> report() {
        if (!properties.meterEnabled()) {
            return Mono.just(0L);
        }
        Mono<Long> round = plan()
            .then(ledger.pending(properties.meter().batchSize()).concatMap(this::send).count());
        return round
            .flatMap(count -> refreshLag().thenReturn(count))
            .onErrorResume(failure -> refreshLag().then(Mono.error(failure)));
    }

    private Mono<Void> refreshLag() {
        return ledger.reportedThrough()
            .doOnNext(reportedThrough::set)
            .onErrorResume(failure -> Mono.empty())
            .then();
    }

    /** Seconds between now and the end of what has been reported; NaN before the first round. */
    double lagSeconds() {
        Instant through = reportedThrough.get();
        return through == null ? Double.NaN : Duration.between(through, clock.instant()).toMillis() / 1000.0;
    }

    private Mono<Void> plan() {
        Instant now = clock.instant();
        BillingProperties.Meter meter = properties.meter();
        // Only completed hours that had time to settle: an hour is reported once, whole, instead of piecemeal.
        Instant to = now.minus(meter.settleDelay()).truncatedTo(ChronoUnit.HOURS);
        Instant oldest = now.minus(STRIPE_MAX_AGE).truncatedTo(ChronoUnit.HOURS);
        return tx.transactional(ledger.lockWatermark()
            .flatMap(watermark -> {
                Instant through = watermark.plannedThrough() == null || watermark.plannedThrough().isAfter(to) ? to
                        : watermark.plannedThrough();
                Instant from = latest(through.minus(meter.lateUsageWindow()), oldest);
                return ledger.plan(from, to, now)
                    .doOnNext(planned -> {
                        if (planned > 0) {
                            log.info("Planned {} meter slices for hours [{}, {})", planned, from, to);
                        }
                    })
                    .then(ledger.advanceWatermark(to));
            }));
    }

    private Mono<Boolean> send(String identifier) {
        Mono<Boolean> attempt = tx.transactional(ledger.lockPending(identifier)
            .flatMap(slice -> stripe.reportMeterEvent(properties.meter().eventName(), slice.identifier(),
                    slice.customerId(), slice.computeUnits(), slice.hour())
                .then(ledger.markSent(slice.identifier(), clock.instant()))
                .thenReturn(true)));
        return attempt
            .doOnNext(ok -> sent.increment())
            .onErrorResume(failure -> {
                boolean permanent = failure instanceof StripeApi.MeterEventRefused;
                String error = permanent ? "refused: " + ((StripeApi.MeterEventRefused) failure).code()
                        : failure instanceof StripeApi.MeterEventFailed ? "stripe: " + failure.getMessage()
                                : failure.getClass().getSimpleName();
                (permanent ? refused : failed).increment();
                Mono<Void> recorded = ledger.markFailed(identifier, error, permanent)
                    .onErrorResume(ignored -> Mono.empty());
                if (permanent) {
                    log.warn("Stripe refused meter slice {} ({}); it will not be resent", identifier, error);
                    return recorded.then(Mono.empty());
                }
                // Stripe or Postgres is unwell: stop here rather than time out on every pending slice.
                return recorded.then(Mono.error(failure));
            });
    }

    private static Instant latest(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    @Override
    public void destroy() {
        Disposable current = schedule;
        if (current != null) {
            current.dispose();
        }
    }
}
