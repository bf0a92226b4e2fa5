package dev.relaygate.gateway.upstream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import dev.relaygate.gateway.config.UpstreamProperties;
import dev.relaygate.gateway.routing.ChainFamily;
import dev.relaygate.gateway.routing.ChainProperties;
import dev.relaygate.gateway.routing.UpstreamTier;
import dev.relaygate.gateway.testsupport.AnvilNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The router over two real Anvil nodes: a node that falls behind leaves the rotation and comes back once it has
 * caught up (active health checks every 200 ms), and killing one node under steady read load loses (almost) no read.
 */
class AnvilUpstreamsIT {

    private static final Logger log = LoggerFactory.getLogger(AnvilUpstreamsIT.class);

    private static final byte[] BLOCK_NUMBER = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}"
        .getBytes(StandardCharsets.UTF_8);

    private static final byte[] BALANCE = ("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_getBalance\",\"params\":"
            + "[\"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\",\"latest\"]}").getBytes(StandardCharsets.UTF_8);

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private final UpstreamClient client = new UpstreamClient(new UpstreamProperties(64, Duration.ofSeconds(2),
            Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(30), 1 << 20));

    private AnvilNode first;

    private AnvilNode second;

    private UpstreamRouter router;

    @AfterEach
    void stop() {
        if (router != null) {
            router.close();
        }
        client.close();
        if (first != null) {
            first.close();
        }
        if (second != null) {
            second.close();
        }
    }

    @Test
    void aLaggingNodeLeavesTheRotationAndReturnsWhenItCatchesUp() {
        startTwoNodes();

        second.mine(20);

        await().atMost(Duration.ofSeconds(10)).until(() -> headsServed(20).equals(List.of(20L)));
        assertThat(headsServed(100)).as("the node at block 0 is out of the rotation").containsOnly(20L);

        first.mine(40);

        await().atMost(Duration.ofSeconds(10)).until(() -> headsServed(20).equals(List.of(40L)));
        assertThat(headsServed(100)).as("the caught-up node is back, the one now behind is out").containsOnly(40L);

        second.mine(20);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            double before = answered("anvil-1");
            assertThat(headsServed(100)).containsOnly(40L);
            assertThat(answered("anvil-1")).as("both serve again").isGreaterThan(before);
        });
    }

    @Test
    void killingOneOfTwoNodesUnderSteadyLoadLosesAlmostNoRead() {
        startTwoNodes();
        int total = 4000;
        AtomicInteger done = new AtomicInteger();
        AtomicInteger succeeded = new AtomicInteger();
        long started = System.nanoTime();

        Disposable load = Flux.range(0, total)
            .flatMap(i -> router.relay("anvil", List.of(i % 2 == 0 ? "eth_blockNumber" : "eth_getBalance"),
                    i % 2 == 0 ? BLOCK_NUMBER : BALANCE), 16)
            .doOnNext(relayed -> {
                if (relayed.answered() && new String(relayed.response().body(), StandardCharsets.UTF_8)
                    .contains("\"result\"")) {
                    succeeded.incrementAndGet();
                }
                done.incrementAndGet();
            })
            .subscribe();
        await().atMost(Duration.ofSeconds(60)).until(() -> done.get() >= total / 4);
        second.kill();
        await().atMost(Duration.ofMinutes(2)).until(() -> load.isDisposed() || done.get() == total);

        double rate = succeeded.get() * 100.0 / total;
        log.info(String.format("Killing one of two Anvil nodes after %d of %d reads (16 at a time): %d succeeded"
                + " (%.3f %%) in %d ms", total / 4, total, succeeded.get(), rate,
                Duration.ofNanos(System.nanoTime() - started).toMillis()));
        assertThat(rate).isGreaterThanOrEqualTo(99.9);
    }

    private void startTwoNodes() {
        first = AnvilNode.start();
        second = AnvilNode.start();
        List<ChainProperties.Upstream> upstreams = List.of(
                Upstreams.upstream(first.url(), null, 1, UpstreamTier.PRIMARY, 0, 0),
                Upstreams.upstream(second.url(), null, 1, UpstreamTier.PRIMARY, 0, 0));
        ChainProperties.Chain chain = new ChainProperties.Chain("anvil", List.of(), ChainFamily.EVM, upstreams,
                new ChainProperties.Health(Duration.ofMillis(200), Duration.ofSeconds(3), 5, 128),
                Upstreams.retry(Duration.ofSeconds(10), 3, Duration.ofSeconds(2)), Upstreams.adaptiveHedging(),
                Upstreams.EJECTION);
        router = new UpstreamRouter(new ChainProperties(List.of(chain)), client, (family, methods) -> 1, meters,
                System::nanoTime, new Random(17));
        router.start();
    }

    /** The distinct heads {@code calls} eth_blockNumber calls through the router answered. */
    private List<Long> headsServed(int calls) {
        return Flux.range(0, calls)
            .concatMap(i -> router.relay("anvil", List.of("eth_blockNumber"), BLOCK_NUMBER))
            .map(relayed -> {
                String answer = new String(relayed.response().body(), StandardCharsets.UTF_8);
                int start = answer.indexOf("\"0x") + 3;
                return Long.parseLong(answer.substring(start, answer.indexOf('"', start)), 16);
            })
            .distinct()
            .collectList()
            .block();
    }

    private double answered(String upstream) {
        return meters.counter(UpstreamRouter.ATTEMPTS_METRIC, "chain", "anvil", "upstream", upstream, "outcome", "ok")
            .count();
    }
}
