package dev.relaygate.gateway.upstream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The hedging delay's source: the p95 of a chain's recent answers. */
class LatencyWindowTest {

    @Test
    void hasNoPercentileBeforeEnoughSamples() {
        LatencyWindow window = new LatencyWindow();
        for (int i = 0; i < LatencyWindow.EVERY - 1; i++) {
            window.record(i);
        }

        assertThat(window.p95Nanos()).isEqualTo(-1);
    }

    @Test
    void isThe95thPercentileOfTheLastSamples() {
        LatencyWindow window = new LatencyWindow();
        for (int i = 0; i < 1000; i++) {
            window.record(1_000_000); // old: pushed out of the window
        }
        for (int i = 1; i <= LatencyWindow.SIZE; i++) {
            window.record(i);
        }

        assertThat(window.p95Nanos()).isEqualTo(244); // ceil(256 * 0.95)
    }
}
