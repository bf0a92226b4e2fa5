package dev.relaygate.controlplane.usage;

import java.time.Duration;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Consumption of the {@code rg:usage} stream and upkeep of the usage tables (docs/usage-and-quotas.md).
 *
 * @param enabled            whether this instance consumes the stream at all
 * @param group              consumer group of the control plane on the stream
 * @param consumerName       this instance's consumer name: unique among instances and stable across restarts (a pod
 *                           name), so a restarted instance re-reads what it read but did not acknowledge; blank
 *                           means the host name
 * @param batchSize          entries per XREADGROUP / XAUTOCLAIM
 * @param blockTime          how long one XREADGROUP waits for new entries
 * @param claimIdleTime      how long an entry stays pending with another consumer before this one takes it over
 * @param claimInterval      how often pending entries of other consumers are looked for
 * @param trimInterval       how often the stream is trimmed behind what every group has acknowledged
 * @param retryBackoff       pause after a failed round (Redis or Postgres unavailable) before the next one
 * @param maintenanceInterval how often partitions are created ahead and expired data is dropped
 * @param partitionsAhead    months of hourly partitions kept ready beyond the current one
 * @param hourlyRetention    how long hourly rows are kept; a month's partition is dropped once all of it is older
 * @param batchIdRetention   how long batch ids are remembered: a batch re-sent later than this counts again
 */
@Validated
@ConfigurationProperties("relaygate.usage")
public record UsageProperties(
        @DefaultValue("true") boolean enabled,
        @NotBlank @Pattern(regexp = "[\\x21-\\x7e]{1,100}") @DefaultValue("control-plane") String group,
        @NotNull @Pattern(regexp = "[\\x21-\\x7e]{0,100}") @DefaultValue("") String consumerName,
        @Min(1) @Max(10_000) @DefaultValue("100") int batchSize,
        @NotNull @DefaultValue("2s") Duration blockTime,
        @NotNull @DefaultValue("5m") Duration claimIdleTime,
        @NotNull @DefaultValue("30s") Duration claimInterval,
        @NotNull @DefaultValue("1m") Duration trimInterval,
        @NotNull @DefaultValue("1s") Duration retryBackoff,
        @NotNull @DefaultValue("1h") Duration maintenanceInterval,
        @Min(1) @Max(24) @DefaultValue("2") int partitionsAhead,
        @NotNull @DefaultValue("400d") Duration hourlyRetention,
        @NotNull @DefaultValue("7d") Duration batchIdRetention) {

    @AssertTrue(message = "relaygate.usage.block-time must be between 1ms and 30s")
    public boolean isBlockTimeBounded() {
        return blockTime == null || (blockTime.toMillis() >= 1 && blockTime.compareTo(Duration.ofSeconds(30)) <= 0);
    }

    @AssertTrue(message = "relaygate.usage durations (claim-idle-time, claim-interval, trim-interval, retry-backoff, "
            + "maintenance-interval, hourly-retention, batch-id-retention) must be positive")
    public boolean isEveryIntervalPositive() {
        for (Duration d : new Duration[] { claimIdleTime, claimInterval, trimInterval, retryBackoff,
                maintenanceInterval, hourlyRetention, batchIdRetention }) {
            if (d != null && (d.isNegative() || d.isZero())) {
                return false;
            }
        }
        return true;
    }

    @AssertTrue(message = "relaygate.usage.hourly-retention must be at least 32 days (one whole month)")
    public boolean isHourlyRetentionAtLeastAMonth() {
        return hourlyRetention == null || hourlyRetention.compareTo(Duration.ofDays(32)) >= 0;
    }
}
