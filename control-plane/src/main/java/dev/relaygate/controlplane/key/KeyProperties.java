package dev.relaygate.controlplane.key;

import java.time.Duration;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.relaygate.controlplane.config.PositiveDuration;

/**
 * API-key lifecycle settings.
 *
 * @param rotationGrace       how long a rotated-out secret keeps working when the request names no grace
 * @param maxRotationGrace    the longest grace a request may ask for
 * @param rotationSweepInterval how often secrets whose grace ended are retired (snapshot rewritten as revoked)
 */
@Validated
@ConfigurationProperties("relaygate.keys")
public record KeyProperties(@NotNull @DefaultValue("24h") Duration rotationGrace,
        @NotNull @PositiveDuration @DefaultValue("30d") Duration maxRotationGrace,
        @NotNull @PositiveDuration @DefaultValue("1m") Duration rotationSweepInterval) {

    @AssertTrue(message = "relaygate.keys.rotation-grace must be between 0 and relaygate.keys.max-rotation-grace")
    public boolean isGraceWithinMaximum() {
        return rotationGrace == null || maxRotationGrace == null
                || (!rotationGrace.isNegative() && rotationGrace.compareTo(maxRotationGrace) <= 0);
    }
}
