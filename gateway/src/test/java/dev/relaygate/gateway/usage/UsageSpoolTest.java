package dev.relaygate.gateway.usage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/** The spool: batches kept in order on disk, bounded, surviving a restart, and a torn write dropped. */
class UsageSpoolTest {

    @TempDir
    Path directory;

    @Test
    void givesBatchesBackOldestFirstAndEmptiesOnceAllAreRemoved() throws IOException {
        try (UsageSpool spool = spool(DataSize.ofMegabytes(1))) {
            spool.append(batch(1));
            spool.append(batch(2));

            UsageSpool.Spooled first = spool.peek().orElseThrow();
            spool.remove(first);
            UsageSpool.Spooled second = spool.peek().orElseThrow();
            spool.remove(second);

            assertThat(first.json()).isEqualTo(batch(1).json());
            assertThat(second.json()).isEqualTo(batch(2).json());
            assertThat(first.createdAt()).isEqualTo(batch(1).createdAt());
            assertThat(spool.isEmpty()).isTrue();
            assertThat(spool.bytes()).isZero();
            assertThat(Files.size(directory.resolve(UsageSpool.FILE))).isZero();
        }
    }

    @Test
    void refusesABatchThatWouldMakeItLargerThanItsBound() throws IOException {
        long one = (batch(1).createdAt().toEpochMilli() + " " + batch(1).json() + "\n").length();
        try (UsageSpool spool = spool(DataSize.ofBytes(one * 2 + 1))) {
            assertThat(List.of(spool.append(batch(1)), spool.append(batch(2)), spool.append(batch(3))))
                .containsExactly(true, true, false);
            assertThat(spool.batches()).isEqualTo(2);
        }
    }

    @Test
    void aReopenedSpoolContinuesWhereItsReaderStopped() throws IOException {
        try (UsageSpool spool = spool(DataSize.ofMegabytes(1))) {
            spool.append(batch(1));
            spool.append(batch(2));
            spool.remove(spool.peek().orElseThrow());
        }

        try (UsageSpool reopened = spool(DataSize.ofMegabytes(1))) {
            assertThat(reopened.batches()).isEqualTo(1);
            assertThat(reopened.peek().orElseThrow().json()).isEqualTo(batch(2).json());
        }
    }

    @Test
    void dropsATornLastLineLeftByACrashAndKeepsTheWholeOnes() throws IOException {
        try (UsageSpool spool = spool(DataSize.ofMegabytes(1))) {
            spool.append(batch(1));
        }
        Files.write(directory.resolve(UsageSpool.FILE), "1764670501250 {\"schema\":1,\"bat".getBytes(
                StandardCharsets.UTF_8), StandardOpenOption.APPEND);

        try (UsageSpool reopened = spool(DataSize.ofMegabytes(1))) {
            assertThat(reopened.batches()).isEqualTo(1);
            reopened.append(batch(2));
            reopened.remove(reopened.peek().orElseThrow());
            assertThat(reopened.peek().orElseThrow().json()).isEqualTo(batch(2).json());
        }
    }

    private UsageSpool spool(DataSize maxSize) {
        return new UsageSpool(new UsageProperties.Spool(directory, maxSize, UsageProperties.Fsync.ALWAYS,
                Duration.ofSeconds(1), Duration.ofDays(3)));
    }

    private static UsageBatch batch(long sequence) {
        return new UsageBatch(UsageBatch.batchId("g", sequence), "g", Instant.parse("2026-12-02T10:15:01.250Z"),
                List.of(new UsageBatch.Row(0, "o", "k", "anvil", "eth_call", UsageOutcome.OK, sequence, 26, 1)));
    }
}
