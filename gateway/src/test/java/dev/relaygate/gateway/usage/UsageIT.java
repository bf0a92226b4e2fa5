package dev.relaygate.gateway.usage;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;

import dev.relaygate.gateway.testsupport.GatewayIntegrationTest;
import dev.relaygate.gateway.testsupport.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Usage is recorded for relayed calls only, and leaves the request path (it reaches the sink later). */
class UsageIT extends GatewayIntegrationTest {

    @Autowired
    private MeterRegistry meters;

    @Test
    void aRelayedCallIsRecordedAndWrittenToTheSink() {
        double queuedBefore = count("queued");
        double writtenBefore = count("written");

        relay();

        // The record is taken when the relay's Mono completes, which may be just after the client has the answer.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(count("queued") - queuedBefore).isEqualTo(1);
            assertThat(count("written") - writtenBefore).isGreaterThanOrEqualTo(1);
        });
    }

    @Test
    void aRefusedCallIsNotRecorded() {
        double queuedBefore = count("queued");

        client.post().uri("/v1/anvil/" + TestKeys.newKey())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}")
            .exchange()
            .expectStatus().isUnauthorized();
        relay();

        // Once the relayed call that followed is counted, the refused one would have been too.
        await().atMost(Duration.ofSeconds(5))
            .untilAsserted(() -> assertThat(count("queued") - queuedBefore).isEqualTo(1));
    }

    private void relay() {
        client.post().uri("/v1/anvil/" + activeKey())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}")
            .exchange()
            .expectStatus().isOk();
    }

    private double count(String outcome) {
        return meters.get(UsageRecorder.RECORDS_METRIC).tag("outcome", outcome).counter().count();
    }
}
