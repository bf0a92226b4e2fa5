package dev.relaygate.controlplane.notification;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ThresholdTest {

    @Test
    void nothingIsReachedBelowEightyPercent() {
        assertThat(Threshold.reached(799, 1_000)).isEmpty();
    }

    @Test
    void eightyPercentIsReachedExactlyAtEightyPercent() {
        assertThat(Threshold.reached(800, 1_000)).containsExactly(Threshold.WARNING);
        assertThat(Threshold.reached(999, 1_000)).containsExactly(Threshold.WARNING);
    }

    @Test
    void bothAreReachedAtTheLimitAndBeyond() {
        assertThat(Threshold.reached(1_000, 1_000)).containsExactly(Threshold.WARNING, Threshold.USED_UP);
        assertThat(Threshold.reached(5_000, 1_000)).containsExactly(Threshold.WARNING, Threshold.USED_UP);
    }

    @Test
    void roundingNeverFiresEarly() {
        // 80 % of 7 is 5.6: 5 has not reached it, 6 has.
        assertThat(Threshold.reached(5, 7)).isEmpty();
        assertThat(Threshold.reached(6, 7)).containsExactly(Threshold.WARNING);
    }

    @Test
    void hugeValuesDoNotOverflow() {
        assertThat(Threshold.reached(Long.MAX_VALUE, Long.MAX_VALUE)).hasSize(2);
        assertThat(Threshold.reached(Long.MAX_VALUE / 2, Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void noLimitMeansNoThreshold() {
        assertThat(Threshold.reached(1_000_000, 0)).isEmpty();
    }
}
