package dev.relaygate.controlplane.notification;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class BackoffTest {

    private static final Duration INITIAL = Duration.ofSeconds(30);

    private static final Duration MAX = Duration.ofHours(1);

    @Test
    void doublesFromTheInitialWaitWithAtMostHalfTakenOffByJitter() {
        Backoff noJitter = new Backoff(INITIAL, MAX, () -> 0.999_999);
        Backoff fullJitter = new Backoff(INITIAL, MAX, () -> 0.0);

        assertThat(noJitter.after(1)).isBetween(Duration.ofMillis(29_999), INITIAL);
        assertThat(noJitter.after(3)).isBetween(Duration.ofMillis(119_999), Duration.ofMinutes(2));
        assertThat(fullJitter.after(1)).isEqualTo(Duration.ofSeconds(15));
        assertThat(fullJitter.after(3)).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void neverWaitsLongerThanTheCapHoweverManyAttempts() {
        Backoff backoff = new Backoff(INITIAL, MAX, () -> 0.999_999);

        assertThat(backoff.after(8)).isLessThanOrEqualTo(MAX).isGreaterThan(Duration.ofMinutes(59));
        assertThat(backoff.after(30)).isLessThanOrEqualTo(MAX);
        assertThat(backoff.after(1_000)).isLessThanOrEqualTo(MAX);
    }
}
