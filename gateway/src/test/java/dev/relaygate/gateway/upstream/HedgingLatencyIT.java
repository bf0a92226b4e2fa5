package dev.relaygate.gateway.upstream;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.relaygate.gateway.config.UpstreamProperties;
import dev.relaygate.gateway.routing.ChainProperties;
import dev.relaygate.gateway.routing.UpstreamTier;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hedging cuts the tail: one upstream with a heavy-tailed (log-normal) latency, one steadier, the same read load
 * with and without hedging; the p99 with hedging must be well below the p99 without. Prints both figures.
 */
class HedgingLatencyIT {

    private static final byte[] READ = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_call\",\"params\":[{},\"latest\"]}"
        .getBytes(StandardCharsets.UTF_8);

    private static final int WARM_UP = 100;

    private static final int MEASURED = 800;

    private static final int CONCURRENCY = 8;

    private static final WireMockServer SLOW = new WireMockServer(
            WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort().containerThreads(64));

    private static final WireMockServer STEADY = new WireMockServer(
            WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort().containerThreads(64));

    @BeforeAll
    static void startUpstreams() {
        SLOW.start();
        STEADY.start();
        String answer = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x\"}";
        // Median 20 ms for both; the slow one's sigma of 1.0 puts its p99 near 200 ms, the steady one's near 40 ms.
        SLOW.stubFor(post("/").willReturn(okJson(answer).withLogNormalRandomDelay(20, 1.0)));
        STEADY.stubFor(post("/").willReturn(okJson(answer).withLogNormalRandomDelay(20, 0.3)));
    }

    @AfterAll
    static void stopUpstreams() {
        SLOW.stop();
        STEADY.stop();
    }

    @Test
    void hedgingCutsTheP99WhenOneUpstreamIsSlow() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        Duration without = p99(Upstreams.noHedging(), new SimpleMeterRegistry());
        Duration with = p99(Upstreams.adaptiveHedging(), meters);

        double hedged = meters.counter(UpstreamRouter.HEDGES_METRIC, "chain", "test").count() / (WARM_UP + MEASURED);
        System.out.printf("Hedging p99 (%d reads, %d at a time, log-normal upstreams median 20 ms, sigma 1.0 and 0.3):"
                + " without %d ms, with %d ms; %.1f %% of reads hedged%n", MEASURED, CONCURRENCY, without.toMillis(),
                with.toMillis(), hedged * 100);
        assertThat(with).isLessThan(without.multipliedBy(3).dividedBy(4));
    }

    private static Duration p99(ChainProperties.Hedging hedging, SimpleMeterRegistry meters) {
        List<ChainProperties.Upstream> upstreams = List.of(
                Upstreams.upstream(SLOW.baseUrl() + "/", "slow", 1, UpstreamTier.PRIMARY, 0, 0),
                Upstreams.upstream(STEADY.baseUrl() + "/", "steady", 1, UpstreamTier.PRIMARY, 0, 0));
        ChainProperties chains = new ChainProperties(List.of(Upstreams.chain("test", upstreams,
                Upstreams.retry(Duration.ofSeconds(10), 3, Duration.ofSeconds(5)), hedging)));
        try (UpstreamClient client = new UpstreamClient(new UpstreamProperties(64, Duration.ofSeconds(2),
                Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(30), 1 << 20))) {
            UpstreamRouter router = new UpstreamRouter(chains, client, (family, methods) -> 1,
                    meters, System::nanoTime, new Random(17));
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            Flux.range(0, WARM_UP + MEASURED)
                .flatMap(i -> timed(router).doOnNext(nanos -> {
                    if (i >= WARM_UP) {
                        latencies.add(nanos);
                    }
                }), CONCURRENCY)
                .blockLast();
            List<Long> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            return Duration.ofNanos(sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1));
        }
    }

    private static Mono<Long> timed(UpstreamRouter router) {
        return Mono.defer(() -> {
            long started = System.nanoTime();
            return router.relay("test", List.of("eth_call"), READ).map(relayed -> {
                assertThat(relayed.answered()).isTrue();
                return System.nanoTime() - started;
            });
        });
    }
}
