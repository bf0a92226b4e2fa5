package dev.relaygate.gateway.usage;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import dev.relaygate.gateway.config.RedisMode;
import dev.relaygate.gateway.testsupport.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Usage reaches {@code rg:usage} on a real Redis through outages and shutdowns: what Redis does not take is
 * spooled on disk and replayed, and the totals (each batch id counted once, as the control plane counts) stay
 * exact. The Redis here is this test's own, which it freezes and stops.
 */
class UsageDeliveryIT {

    private static final TestRedis.Dedicated REDIS = TestRedis.dedicated();

    private static final ClientResources RESOURCES = DefaultClientResources.create();

    @TempDir
    Path spoolDirectory;

    private final Scheduler spoolScheduler = Schedulers.newBoundedElastic(1, 1024, "usage-spool");

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private final String keyId = UUID.randomUUID().toString();

    @AfterEach
    void redisIsBack() {
        REDIS.start();
        spoolScheduler.dispose();
    }

    @AfterAll
    static void release() {
        RESOURCES.shutdown();
    }

    @Test
    void aGracefulShutdownSendsWhatIsStillAggregated() {
        UsageStream stream = stream();
        UsageRecorder recorder = recorder(Duration.ofHours(1), stream);
        recordCalls(recorder, 1_234);

        recorder.close();
        stream.close();

        try (Redis redis = new Redis()) {
            assertThat(UsageStreamEntries.totals(redis.commands(), keyId))
                .isEqualTo(Map.of("ok.calls", 1_234L, "ok.cu", 1_234L * 10));
        }
    }

    /**
     * Between two flushes the recorded facts are summed as they come, not kept one by one until the flush: kept for a
     * whole second at 20,000 requests/s they outlived the young collections and filled the old generation.
     */
    @Test
    void recordedFactsAreSummedWithinAFractionOfASecondLongBeforeTheFlush() {
        UsageStream stream = stream();
        UsageRecorder recorder = recorder(Duration.ofHours(1), stream);
        try {
            recordCalls(recorder, 500);

            await().atMost(Duration.ofSeconds(2)).until(() -> recorder.pendingFacts() == 0);
        }
        finally {
            recorder.close();
            stream.close();
        }
        try (Redis redis = new Redis()) {
            assertThat(UsageStreamEntries.totals(redis.commands(), keyId))
                .isEqualTo(Map.of("ok.calls", 500L, "ok.cu", 500L * 10));
        }
    }

    @Test
    void whatRedisDoesNotTakeAtShutdownIsSpooledAndTheNextStartReplaysIt() {
        REDIS.stop();
        UsageStream first = stream();
        UsageRecorder stopping = recorder(Duration.ofHours(1), first);
        recordCalls(stopping, 500);
        stopping.close();
        first.close();
        assertThat(count("spooled")).isEqualTo(1);
        assertThat(count("sent")).isZero();

        REDIS.start();
        UsageStream second = stream();
        UsageRecorder restarted = recorder(Duration.ofMillis(100), second);
        try (Redis redis = new Redis()) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(UsageStreamEntries.totals(redis.commands(), keyId))
                        .isEqualTo(Map.of("ok.calls", 500L, "ok.cu", 5_000L)));
        }
        finally {
            restarted.close();
            second.close();
        }
        assertThat(count("replayed")).isEqualTo(1);
    }

    @Test
    void nothingIsLostWhileRedisIsFrozenMidRun() throws Exception {
        UsageStream stream = stream();
        UsageRecorder recorder = recorder(Duration.ofMillis(100), stream);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong recorded = new AtomicLong();
        Thread load = Thread.ofPlatform().name("usage-load").start(() -> {
            while (running.get()) {
                recordCalls(recorder, 10);
                recorded.addAndGet(10);
                Thread.onSpinWait();
            }
        });
        try (Redis redis = new Redis()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> count("sent") > 0);
            REDIS.pauseClients(Duration.ofSeconds(3));
            await().atMost(Duration.ofSeconds(10)).until(() -> count("spooled") > 0);
            await().atMost(Duration.ofSeconds(15)).until(() -> count("replayed") > 0);
            running.set(false);
            load.join();

            long calls = recorded.get();
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(UsageStreamEntries.totals(redis.commands(), keyId))
                        .isEqualTo(Map.of("ok.calls", calls, "ok.cu", calls * 10)));
            assertThat(count("lost")).isZero();
        }
        finally {
            recorder.close();
            stream.close();
        }
    }

    private void recordCalls(UsageRecorder recorder, int calls) {
        for (int i = 0; i < calls; i++) {
            recorder.record(UsageRecord.relayed(Instant.now(), "r", "org", keyId, "plan", "anvil",
                    List.of(new UsageCall("eth_blockNumber", "1", 10)), 200,
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x10\"}".getBytes(), Duration.ofMillis(1)));
        }
    }

    private UsageRecorder recorder(Duration flushInterval, UsageStream stream) {
        UsageProperties properties = new UsageProperties(flushInterval, 2000, Duration.ofMillis(300),
                Duration.ofSeconds(10), new UsageProperties.Spool(spoolDirectory, DataSize.ofMegabytes(64),
                        UsageProperties.Fsync.ALWAYS, Duration.ofSeconds(1), Duration.ofDays(3)), true);
        return new UsageRecorder(properties, UUID.randomUUID().toString().substring(0, 16), stream,
                new UsageSpool(properties.spool()), meters, Schedulers.parallel(), spoolScheduler, Clock.systemUTC());
    }

    private static UsageStream stream() {
        return new UsageStream(REDIS.url(), RedisMode.STANDALONE, Duration.ofSeconds(1), Duration.ofMillis(300), RESOURCES);
    }

    private double count(String result) {
        return meters.get(UsageRecorder.BATCHES_METRIC).tag("result", result).counter().count();
    }

    /** A plain connection to read the stream. */
    private static final class Redis implements AutoCloseable {

        private final RedisClient client = RedisClient.create(REDIS.url());

        private final StatefulRedisConnection<String, String> connection = client.connect();

        io.lettuce.core.api.sync.RedisCommands<String, String> commands() {
            return connection.sync();
        }

        @Override
        public void close() {
            connection.close();
            client.shutdown();
        }
    }
}
