package dev.relaygate.gateway.usage;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

import static org.assertj.core.api.Assertions.assertThat;

/** The usage queue: off the request path, bounded, batched, and honest about what it drops or loses. */
class UsageRecorderTest {

    private static final Duration FLUSH = Duration.ofSeconds(1);

    private static final Duration SINK_TIMEOUT = Duration.ofSeconds(5);

    private final VirtualTimeScheduler time = VirtualTimeScheduler.create();

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private final List<List<UsageRecord>> batches = new CopyOnWriteArrayList<>();

    private final UsageSink collecting = records -> Mono.fromRunnable(() -> batches.add(records));

    private UsageRecorder recorder;

    @AfterEach
    void stop() {
        if (recorder != null) {
            recorder.close();
        }
        time.dispose();
    }

    @Test
    void writesQueuedRecordsToTheSinkInOrderAtTheNextFlush() {
        recorder = recorder(100, 10, collecting);
        recorder.record(record("a"));
        recorder.record(record("b"));
        recorder.record(record("c"));
        assertThat(batches).isEmpty();

        time.advanceTimeBy(FLUSH);

        assertThat(batches).hasSize(1);
        assertThat(batches.get(0)).extracting(UsageRecord::requestId).containsExactly("a", "b", "c");
        assertThat(count("written")).isEqualTo(3);
        assertThat(queueSize()).isZero();
    }

    @Test
    void dropsAndCountsRecordsBeyondTheQueueCapacity() {
        recorder = recorder(2, 10, collecting);

        boolean first = recorder.record(record("a"));
        boolean second = recorder.record(record("b"));
        boolean third = recorder.record(record("c"));

        assertThat(List.of(first, second, third)).containsExactly(true, true, false);
        assertThat(count("queued")).isEqualTo(2);
        assertThat(count("dropped")).isEqualTo(1);
        assertThat(queueSize()).isEqualTo(2);
    }

    @Test
    void acceptsRecordsAgainOnceTheSinkHasDrainedTheQueue() {
        recorder = recorder(1, 10, collecting);
        recorder.record(record("a"));
        assertThat(recorder.record(record("refused"))).isFalse();

        time.advanceTimeBy(FLUSH);

        assertThat(recorder.record(record("b"))).isTrue();
    }

    @Test
    void writesAtMostBatchSizeRecordsPerWrite() {
        recorder = recorder(100, 2, collecting);
        for (String id : List.of("a", "b", "c", "d", "e")) {
            recorder.record(record(id));
        }

        time.advanceTimeBy(FLUSH);

        assertThat(batches).extracting(List::size).containsExactly(2, 2, 1);
    }

    @Test
    void countsTheRecordsOfAFailedWriteAsLostAndKeepsGoing() {
        AtomicInteger writes = new AtomicInteger();
        UsageSink failingOnce = records -> writes.getAndIncrement() == 0
                ? Mono.error(new IllegalStateException("sink down"))
                : collecting.write(records);
        recorder = recorder(100, 10, failingOnce);
        recorder.record(record("lost-1"));
        recorder.record(record("lost-2"));
        time.advanceTimeBy(FLUSH);

        recorder.record(record("kept"));
        time.advanceTimeBy(FLUSH);

        assertThat(count("lost")).isEqualTo(2);
        assertThat(batches).singleElement().satisfies(batch ->
                assertThat(batch).extracting(UsageRecord::requestId).containsExactly("kept"));
    }

    @Test
    void countsTheRecordsOfAWriteThatOutlivesTheSinkTimeoutAsLost() {
        recorder = recorder(100, 10, records -> Mono.never());
        recorder.record(record("a"));

        time.advanceTimeBy(FLUSH.plus(SINK_TIMEOUT));

        assertThat(count("lost")).isEqualTo(1);
        assertThat(count("written")).isZero();
    }

    @Test
    void recordingNeverBlocksAnEventLoopThread() {
        recorder = recorder(10_000, 1_000, collecting);
        Scheduler eventLoops = Schedulers.newParallel("event-loop", 4);

        // BlockHound fails this if record() parks or takes a lock on a non-blocking thread.
        Mono<Long> accepted = Flux.range(0, 5_000)
            .parallel(4)
            .runOn(eventLoops)
            .map(i -> recorder.record(record("r" + i)))
            .sequential()
            .filter(Boolean::booleanValue)
            .count()
            .doFinally(signal -> eventLoops.dispose());

        StepVerifier.create(accepted)
            .expectNext(5_000L)
            .verifyComplete();
        assertThat(queueSize()).isEqualTo(5_000);
    }

    @Test
    void closeWritesWhatIsStillQueued() {
        recorder = recorder(100, 10, collecting);
        recorder.record(record("a"));

        recorder.close();
        recorder = null;

        assertThat(batches).singleElement().satisfies(batch ->
                assertThat(batch).extracting(UsageRecord::requestId).containsExactly("a"));
    }

    private UsageRecorder recorder(int capacity, int batchSize, UsageSink sink) {
        return new UsageRecorder(new UsageProperties(capacity, batchSize, FLUSH, SINK_TIMEOUT), sink, meters, time);
    }

    private double count(String outcome) {
        return meters.get(UsageRecorder.RECORDS_METRIC).tag("outcome", outcome).counter().count();
    }

    private double queueSize() {
        return meters.get(UsageRecorder.QUEUE_METRIC).gauge().value();
    }

    private static UsageRecord record(String requestId) {
        return new UsageRecord(Instant.parse("2026-11-23T08:00:00Z"), requestId, "org", "key", "plan", "anvil",
                List.of("eth_blockNumber"), 200, Duration.ofMillis(3));
    }
}
