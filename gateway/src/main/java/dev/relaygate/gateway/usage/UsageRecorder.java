package dev.relaygate.gateway.usage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * The gateway's usage meter. {@link #record} turns a metered request into one fact per call (its outcome read from
 * the upstream's answer by {@link AnswerClassifier}) and hands them to the {@link UsageAggregator}: no I/O, no
 * lock, never dropped. Every {@code flush-interval} one loop cuts the sums into batches and sends each to the
 * {@link UsageSink} ({@code XADD rg:usage}); a batch the sink does not take goes to the {@link UsageSpool} on disk,
 * and while the spool holds anything new batches queue behind it there, so batches reach the stream in the order
 * they were cut. The spool is replayed, oldest first, at each flush, and each batch removed once the sink took it.
 * File I/O runs on the bounded {@code usage-spool} scheduler only.
 */
public final class UsageRecorder implements AutoCloseable {

    /** Counter of usage facts (metered calls) recorded, by {@code outcome} (ok, rpc_error, rate_limited, upstream_error). */
    public static final String FACTS_METRIC = "relaygate.usage.facts";

    /** Counter of batches by {@code result}: sent, spooled, replayed, lost. */
    public static final String BATCHES_METRIC = "relaygate.usage.batches";

    /** Gauge of the spool file's size in bytes. */
    public static final String SPOOL_BYTES_METRIC = "relaygate.usage.spool.bytes";

    /** Gauge of the batches waiting in the spool. */
    public static final String SPOOL_BATCHES_METRIC = "relaygate.usage.spool.batches";

    /** Timer: from a batch being cut to the stream taking it (live batches: the XADD; replayed: the outage too). */
    public static final String FLUSH_LAG_METRIC = "relaygate.usage.flush.lag";

    private static final Logger log = LoggerFactory.getLogger(UsageRecorder.class);

    /** How often recorded facts are added to the sums between two flushes. */
    static final Duration FOLD_INTERVAL = Duration.ofMillis(100);

    /** Spooled batches replayed per flush at most, so that a long backlog does not hold up the live flushes. */
    private static final int REPLAY_PER_FLUSH = 500;

    private final UsageAggregator aggregator;

    private final UsageSink sink;

    private final UsageSpool spool;

    private final Scheduler spoolScheduler;

    private final Clock clock;

    private final Duration shutdownTimeout;

    private final Duration maxAge;

    /** False only in benchmarks measuring the meter's cost: then nothing is recorded. */
    private final boolean enabled;

    /** One counter per outcome, indexed by {@link UsageOutcome#ordinal()}. */
    private final Counter[] facts;

    private final Counter sent;

    private final Counter spooled;

    private final Counter replayed;

    private final Counter lost;

    private final Timer lag;

    private final Sinks.Empty<Void> stop = Sinks.empty();

    private final Sinks.Empty<Void> stopped = Sinks.empty();

    /**
     * @param timer times the flushes (cutting and serializing is CPU only)
     * @param spoolScheduler the bounded scheduler every spool file operation runs on
     */
    public UsageRecorder(UsageProperties properties, String gatewayId, UsageSink sink, UsageSpool spool,
            MeterRegistry meters, Scheduler timer, Scheduler spoolScheduler, Clock clock) {
        this.aggregator = new UsageAggregator(gatewayId, properties.maxRowsPerBatch());
        this.sink = Objects.requireNonNull(sink, "sink");
        this.spool = Objects.requireNonNull(spool, "spool");
        this.spoolScheduler = spoolScheduler;
        this.clock = clock;
        this.shutdownTimeout = properties.shutdownTimeout();
        this.maxAge = properties.spool().maxAge();
        this.enabled = properties.enabled();
        if (!enabled) {
            log.warn("Usage recording is OFF (relaygate.usage.enabled=false): nothing this gateway relays is counted "
                    + "or billed. Only for measuring the meter's cost.");
        }
        this.facts = new Counter[UsageOutcome.values().length];
        for (UsageOutcome outcome : UsageOutcome.values()) {
            facts[outcome.ordinal()] = Counter.builder(FACTS_METRIC)
                .tag("outcome", outcome.wire())
                .description("Metered calls recorded, by outcome")
                .register(meters);
        }
        this.sent = batches(meters, "sent");
        this.spooled = batches(meters, "spooled");
        this.replayed = batches(meters, "replayed");
        this.lost = batches(meters, "lost");
        this.lag = Timer.builder(FLUSH_LAG_METRIC)
            .description("From a usage batch being cut to the stream taking it")
            .register(meters);
        Gauge.builder(SPOOL_BYTES_METRIC, spool, UsageSpool::bytes).baseUnit("bytes")
            .description("Size of the usage spool file").register(meters);
        Gauge.builder(SPOOL_BATCHES_METRIC, spool, UsageSpool::batches)
            .description("Usage batches waiting in the spool").register(meters);
        // One flush at a time (concatMap); ticks arriving during a slow flush are dropped, the next flush takes
        // everything recorded meanwhile. Stopping lets the running flush finish: it holds batches already cut.
        Flux.interval(properties.flushInterval(), properties.flushInterval(), timer)
            .takeUntilOther(stop.asMono())
            .onBackpressureDrop()
            .concatMap(tick -> flush(), 1)
            .doFinally(signal -> stopped.tryEmitEmpty())
            .subscribe();
        // Between flushes the facts are summed as they come, so that none lives long enough to be promoted to the old
        // generation (UsageAggregator).
        if (enabled && properties.flushInterval().compareTo(FOLD_INTERVAL) > 0) {
            Flux.interval(FOLD_INTERVAL, FOLD_INTERVAL, timer)
                .takeUntilOther(stop.asMono())
                .onBackpressureDrop()
                .subscribe(tick -> aggregator.fold());
        }
    }

    /** Meters {@code record}: one fact per call. Cheap, non-blocking, never fails a request. */
    public void record(UsageRecord record) {
        Objects.requireNonNull(record, "record");
        if (!enabled) {
            return;
        }
        List<UsageCall> calls = record.calls();
        UsageOutcome[] outcomes;
        if (record.rateLimited()) {
            outcomes = new UsageOutcome[calls.size()];
            Arrays.fill(outcomes, UsageOutcome.RATE_LIMITED);
        }
        else {
            outcomes = AnswerClassifier.classify(calls, record.status(), record.answer());
        }
        long minute = record.at().toEpochMilli() / 60_000 * 60_000;
        long latency = record.rateLimited() ? 0 : record.latency().toMillis();
        for (int i = 0; i < calls.size(); i++) {
            UsageCall call = calls.get(i);
            UsageOutcome outcome = outcomes[i];
            aggregator.offer(new UsageFact(minute, record.organizationId(), record.keyId(), record.chainId(),
                    call.method(), outcome, outcome.charged() ? call.computeUnits() : 0, latency));
            facts[outcome.ordinal()].increment();
        }
    }

    /** Facts recorded and not yet added to the sums (for tests). */
    int pendingFacts() {
        return aggregator.pending();
    }

    /** Takes one fact as it is (for tests of the aggregation). */
    void record(UsageFact fact) {
        aggregator.offer(fact);
        facts[fact.outcome().ordinal()].increment();
    }

    /**
     * Cuts what was recorded into batches and sends (or spools) them, then replays the spool. Completes when done;
     * failures are counted and logged, never raised.
     */
    Mono<Void> flush() {
        return Mono.defer(() -> Flux.fromIterable(aggregator.cut(clock.instant()))
                .concatMap(this::deliver)
                .then(replay())
                .then(onSpool(() -> {
                    spool.syncIfDue();
                    return true;
                }))
                .then())
            .onErrorResume(failure -> {
                log.error("Usage flush failed", failure);
                return Mono.empty();
            });
    }

    /** Sends {@code batch}, unless older batches wait in the spool; spools it if the send fails. */
    private Mono<Void> deliver(UsageBatch batch) {
        String json = batch.json();
        if (!spool.isEmpty()) {
            return toSpool(batch);
        }
        return sink.send(batch.batchId(), json)
            .then(Mono.fromRunnable(() -> {
                sent.increment();
                lag.record(Duration.between(batch.createdAt(), clock.instant()));
            }))
            .then()
            .onErrorResume(failure -> {
                log.warn("Usage batch {} not sent, spooling it: {}", batch.batchId(), failure.toString());
                return toSpool(batch);
            });
    }

    private Mono<Void> toSpool(UsageBatch batch) {
        return onSpool(() -> spool.append(batch))
            .doOnNext(appended -> {
                if (appended) {
                    spooled.increment();
                }
                else {
                    lost.increment();
                    log.error("Usage batch {} lost: the spool is full ({} bytes); its {} rows are not billed: {}",
                            batch.batchId(), spool.bytes(), batch.rows().size(), batch.json());
                }
            })
            .onErrorResume(failure -> {
                lost.increment();
                log.error("Usage batch {} lost: the spool cannot be written: {}; its rows: {}", batch.batchId(),
                        failure.toString(), batch.json());
                return Mono.empty();
            })
            .then();
    }

    /** Replays spooled batches oldest first until one fails or {@link #REPLAY_PER_FLUSH} are done. */
    private Mono<Void> replay() {
        return replayOne()
            .expand(more -> more ? replayOne() : Mono.empty())
            .take(REPLAY_PER_FLUSH)
            .then();
    }

    /** {@code true} when a batch was replayed (or given up) and the next may follow. */
    private Mono<Boolean> replayOne() {
        if (spool.isEmpty()) {
            return Mono.empty();
        }
        return onSpool(() -> spool.peek().orElse(null))
            .flatMap(batch -> {
                if (batch.createdAt().plus(maxAge).isBefore(clock.instant())) {
                    return onSpool(() -> {
                        spool.remove(batch);
                        lost.increment();
                        log.error("Usage batch from {} given up after {} in the spool; its rows are not billed: {}",
                                batch.createdAt(), maxAge, batch.json());
                        return true;
                    });
                }
                return sink.send(null, batch.json())
                    .then(onSpool(() -> {
                        spool.remove(batch);
                        replayed.increment();
                        lag.record(Duration.between(batch.createdAt(), clock.instant()));
                        return true;
                    }))
                    .onErrorResume(failure -> {
                        log.debug("Usage spool replay stopped: {}", failure.toString());
                        return Mono.just(false);
                    });
            });
    }

    private <T> Mono<T> onSpool(SpoolCall<T> call) {
        return Mono.fromCallable(call::call).subscribeOn(spoolScheduler);
    }

    /**
     * Stops the timer, lets a running flush finish, then flushes what is left (sent, else spooled) within
     * {@code shutdown-timeout}. At shutdown only: blocks the calling thread.
     */
    @Override
    public void close() {
        stop.tryEmitEmpty();
        try {
            stopped.asMono().then(flush()).block(shutdownTimeout);
        }
        catch (IllegalStateException timedOut) {
            log.error("Usage not flushed within {} at shutdown: {} (spool: {} batches)", shutdownTimeout,
                    timedOut.getMessage(), spool.batches());
        }
        try {
            onSpool(() -> {
                spool.close();
                return true;
            }).block(shutdownTimeout);
        }
        catch (RuntimeException failed) {
            log.error("Usage spool not closed cleanly: {}", failed.toString());
        }
    }

    private static Counter batches(MeterRegistry meters, String result) {
        return Counter.builder(BATCHES_METRIC)
            .tag("result", result)
            .description("Usage batches by what became of them")
            .register(meters);
    }

    /** A spool operation: blocking file I/O. */
    @FunctionalInterface
    private interface SpoolCall<T> {
        T call() throws Exception;
    }
}
