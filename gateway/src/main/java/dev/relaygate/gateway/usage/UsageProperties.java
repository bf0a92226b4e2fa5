package dev.relaygate.gateway.usage;

import java.nio.file.Path;
import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import dev.relaygate.gateway.validation.PositiveDuration;

/**
 * The gateway's usage pipeline (docs/usage-and-quotas.md, "Gateway side"; every property in
 * docs/gateway-config.md).
 *
 * @param flushInterval how often the aggregated usage is cut into batches and sent
 * @param maxRowsPerBatch rows per batch at most; more rows make several batches
 * @param sendTimeout an {@code XADD} slower than this counts as failed: the batch goes to the spool
 * @param shutdownTimeout how long a graceful shutdown may spend sending or spooling what is left
 * @param spool the local spool for batches Redis did not take
 * @param enabled {@code false} only to measure what metering costs (the benchmark's usage-off target): the gateway
 *        then records no usage at all, so nothing it relays is counted or billed; it says so at start-up
 */
@Validated
@ConfigurationProperties("relaygate.usage")
public record UsageProperties(
        @NotNull @PositiveDuration @DefaultValue("1s") Duration flushInterval,
        @Min(1) @Max(100_000) @DefaultValue("2000") int maxRowsPerBatch,
        @NotNull @PositiveDuration @DefaultValue("2s") Duration sendTimeout,
        @NotNull @PositiveDuration @DefaultValue("10s") Duration shutdownTimeout,
        @Valid @NotNull @DefaultValue Spool spool,
        @DefaultValue("true") boolean enabled) {

    /**
     * The spool.
     *
     * @param directory where the spool file lives; must survive a restart (a volume, not a tmpfs) to be replayed
     * @param maxSize the spool file's size at most; when full, new batches are refused and counted as lost
     * @param fsync when appended batches are forced to disk
     * @param fsyncInterval with {@code fsync: interval}, how often at most
     * @param maxAge a spooled batch older than this is given up (counted lost, logged); well below the control
     *        plane's 7-day {@code batch-id-retention}, so a re-sent batch is never counted twice
     */
    public record Spool(
            @NotNull @DefaultValue("usage-spool") Path directory,
            @NotNull @DefaultValue("1GB") DataSize maxSize,
            @NotNull @DefaultValue("interval") Fsync fsync,
            @NotNull @PositiveDuration @DefaultValue("1s") Duration fsyncInterval,
            @NotNull @PositiveDuration @DefaultValue("3d") Duration maxAge) {
    }

    /** When spooled batches are forced to disk. */
    public enum Fsync {
        /** After every batch: a crash of the machine loses no spooled batch. */
        ALWAYS,
        /** At most every {@code fsync-interval}: a machine crash loses up to that much of spooled batches. */
        INTERVAL,
        /** Never: the operating system writes when it likes (a process kill loses nothing, a machine crash may). */
        NEVER
    }
}
