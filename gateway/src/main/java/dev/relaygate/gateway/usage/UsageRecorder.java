package dev.relaygate.gateway.usage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Takes usage records off the request path. {@link #record} only puts the record in a bounded, lock-free queue
 * and returns; a timer drains the queue in batches into the {@link UsageSink}. When the queue is full the
 * record is dropped and counted: metering must never slow down or fail a relayed call, and an unbounded queue
 * would turn a slow sink into an out-of-memory gateway.
 */
public final class UsageRecorder implements AutoCloseable {

    /** Counter of records by {@code outcome}: queued, dropped (queue full), written, lost (sink failed). */
    public static final String RECORDS_METRIC = "relaygate.usage.records";

    /** Gauge of records waiting for the sink. */
    public static final String QUEUE_METRIC = "relaygate.usage.queue.size";

    private static final Logger log = LoggerFactory.getLogger(UsageRecorder.class);

    // ConcurrentLinkedQueue with a separate size counter: offers never lock or park on the event loop, which
    // a java.util.concurrent blocking queue may under contention.
    private final Queue<UsageRecord> queue = new ConcurrentLinkedQueue<>();

    private final AtomicInteger size = new AtomicInteger();

    private final int capacity;

    private final int batchSize;

    private final Duration sinkTimeout;

    private final UsageSink sink;

    private final Counter queued;

    private final Counter dropped;

    private final Counter written;

    private final Counter lost;

    private final Scheduler scheduler;

    private final Disposable drainer;

    /**
     * @param scheduler times the periodic drain and the sink timeout; the sink's writes start on it
     */
    public UsageRecorder(UsageProperties properties, UsageSink sink, MeterRegistry meters, Scheduler scheduler) {
        this.capacity = properties.queueCapacity();
        this.batchSize = properties.batchSize();
        this.sinkTimeout = properties.sinkTimeout();
        this.sink = Objects.requireNonNull(sink, "sink");
        this.scheduler = scheduler;
        this.queued = counter(meters, "queued");
        this.dropped = counter(meters, "dropped");
        this.written = counter(meters, "written");
        this.lost = counter(meters, "lost");
        Gauge.builder(QUEUE_METRIC, size, AtomicInteger::get)
            .description("Usage records waiting to be written")
            .register(meters);
        // One drain at a time (concatMap); ticks that arrive while a slow sink is still writing are dropped, the
        // next tick picks up everything still queued.
        this.drainer = Flux.interval(properties.flushInterval(), scheduler)
            .onBackpressureDrop()
            .concatMap(tick -> drain(), 1)
            .subscribe();
    }

    /** Queues {@code record} for the sink; {@code false} (and counted as dropped) when the queue is full. */
    public boolean record(UsageRecord record) {
        Objects.requireNonNull(record, "record");
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            dropped.increment();
            return false;
        }
        queue.offer(record);
        queued.increment();
        return true;
    }

    /** Writes everything queued now, batch after batch; completes when done (sink failures are counted, not raised). */
    public Mono<Void> drain() {
        return writeBatch()
            .expand(written -> written == batchSize ? writeBatch() : Mono.empty())
            .then();
    }

    /** Stops the timer and writes what is still queued, waiting at most the sink timeout. At shutdown only. */
    @Override
    public void close() {
        drainer.dispose();
        try {
            drain().block(sinkTimeout);
        }
        catch (IllegalStateException timedOut) {
            log.warn("Usage records still queued at shutdown were not written: {}", timedOut.getMessage());
        }
    }

    private Mono<Integer> writeBatch() {
        return Mono.defer(() -> {
            List<UsageRecord> batch = new ArrayList<>(Math.min(batchSize, size.get()));
            UsageRecord record;
            while (batch.size() < batchSize && (record = queue.poll()) != null) {
                size.decrementAndGet();
                batch.add(record);
            }
            if (batch.isEmpty()) {
                return Mono.empty();
            }
            return Mono.defer(() -> sink.write(batch))
                .timeout(sinkTimeout, scheduler)
                .doOnSuccess(done -> written.increment(batch.size()))
                .onErrorResume(failure -> {
                    lost.increment(batch.size());
                    log.warn("Lost {} usage records: the sink failed: {}", batch.size(), failure.toString());
                    return Mono.empty();
                })
                .thenReturn(batch.size());
        });
    }

    private static Counter counter(MeterRegistry meters, String outcome) {
        return Counter.builder(RECORDS_METRIC)
            .tag("outcome", outcome)
            .description("Usage records by what became of them")
            .register(meters);
    }
}
