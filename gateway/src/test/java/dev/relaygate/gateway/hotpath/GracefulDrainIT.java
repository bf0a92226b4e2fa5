package dev.relaygate.gateway.hotpath;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.handler.codec.http.HttpHeaderNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.node.ObjectNode;

import dev.relaygate.gateway.GatewayApplication;
import dev.relaygate.gateway.testsupport.OwnNettyResources;
import dev.relaygate.gateway.testsupport.Snapshots;
import dev.relaygate.gateway.testsupport.TestKeys;
import dev.relaygate.gateway.testsupport.TestRedis;
import dev.relaygate.gateway.usage.UsageStreamEntries;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Graceful shutdown of the {@code /v1} route (issue #18): Boot's {@code server.shutdown=graceful} covers the Reactor
 * Netty route, because the route is served by the same Netty server Boot drains. Once shutdown begins no new
 * connection is accepted, every request already in flight is answered within {@code
 * spring.lifecycle.timeout-per-shutdown-phase} (the drain period), and the usage of those requests is flushed to
 * {@code rg:usage} before the process ends. A request still in flight when the drain period ends is cut, and the
 * shutdown does not wait longer.
 * <p>
 * The upstream holds its answers until the test releases them, so "in flight" is a fact of the test, not a race
 * against a fixed delay on a loaded machine.
 */
class GracefulDrainIT {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}";

    private static final int IN_FLIGHT = 20;

    @TempDir
    Path spool;

    private final HeldUpstream upstream = new HeldUpstream();

    private final Snapshots snapshots = new Snapshots(TestRedis.url());

    @AfterEach
    void release() {
        upstream.close();
        snapshots.close();
    }

    @Test
    void requestsInFlightAreAnsweredNewConnectionsAreRefusedAndTheirUsageIsFlushed() throws Exception {
        PublishedKey key = publishedKey();
        ConfigurableApplicationContext gateway = start("30s");
        int port = port(gateway);
        WebClient client = WebClient.create("http://127.0.0.1:" + port);

        CompletableFuture<List<Answer>> answers = Flux.range(0, IN_FLIGHT)
            .flatMap(i -> client.post().uri("/v1/anvil/" + key.secret()).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(CALL)
                .exchangeToMono(response -> response.bodyToMono(String.class)
                    .map(body -> new Answer(response.statusCode().value(), body))), IN_FLIGHT)
            .collectList()
            .toFuture();
        await().atMost(Duration.ofSeconds(30)).until(() -> upstream.held() == IN_FLIGHT);

        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(gateway::close);
        await().atMost(Duration.ofSeconds(20)).until(() -> !accepts(port));
        assertThat(answers).as("still in flight while new connections are refused").isNotDone();
        // Reactor Netty's own dispose waits up to 3 s for active connections even with server.shutdown=immediate;
        // holding the answers longer shows that the drain period, not that, is what the shutdown waits for.
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
            .until(() -> !answers.isDone() && !shutdown.isDone());

        upstream.answer();

        assertThat(answers.get(30, TimeUnit.SECONDS))
            .hasSize(IN_FLIGHT)
            .allSatisfy(answer -> {
                assertThat(answer.status()).isEqualTo(200);
                assertThat(answer.body()).isEqualTo(HeldUpstream.ANSWER);
            });
        shutdown.get(60, TimeUnit.SECONDS);
        // The flush interval is an hour: only the shutdown's flush can have delivered this usage.
        assertThat(UsageStreamEntries.totals(snapshots.redis(), key.id()))
            .containsEntry("ok.calls", (long) IN_FLIGHT);
    }

    @Test
    void aRequestStillInFlightWhenTheDrainPeriodEndsIsCutAndTheShutdownEnds() throws Exception {
        PublishedKey key = publishedKey();
        ConfigurableApplicationContext gateway = start("1s");
        WebClient client = WebClient.create("http://127.0.0.1:" + port(gateway));
        CompletableFuture<Integer> answer = client.post().uri("/v1/anvil/" + key.secret())
            .contentType(MediaType.APPLICATION_JSON).bodyValue(CALL)
            .exchangeToMono(response -> response.releaseBody().thenReturn(response.statusCode().value()))
            .toFuture();
        await().atMost(Duration.ofSeconds(30)).until(() -> upstream.held() == 1);

        long began = System.nanoTime();
        gateway.close();
        Duration took = Duration.ofNanos(System.nanoTime() - began);

        // The drain period is 1 s; the rest of the shutdown (Redis, usage flush, scheduler) takes a few more.
        assertThat(took).isLessThan(Duration.ofSeconds(15));
        await().atMost(Duration.ofSeconds(10)).until(answer::isDone);
        assertThat(answer).isCompletedExceptionally();
    }

    /** A key of an organization of its own, on a plan of its own that admits every call of these tests. */
    private PublishedKey publishedKey() {
        ObjectNode plan = (ObjectNode) Snapshots.contract("plan-snapshot.json");
        plan.put("planId", UUID.randomUUID().toString()).put("computeUnitsPerSecond", 1_000_000)
            .put("burstComputeUnits", 1_000_000).put("computeUnitsPerMinute", 100_000_000);
        snapshots.redis().set("rg:plan:" + plan.get("planId").asString(), plan.toString());
        String key = TestKeys.newKey();
        ObjectNode snapshot = Snapshots.keySnapshot(TestKeys.sha256(key)).put("planId", plan.get("planId").asString());
        snapshots.redis().set("rg:key:" + snapshot.get("hash").asString(), snapshot.toString());
        return new PublishedKey(key, snapshot.get("keyId").asString());
    }

    private ConfigurableApplicationContext start(String drainPeriod) {
        return new SpringApplicationBuilder(GatewayApplication.class, OwnNettyResources.class).run(
                "--server.port=0",
                "--management.server.port=0",
                "--spring.lifecycle.timeout-per-shutdown-phase=" + drainPeriod,
                "--relaygate.redis.url=" + TestRedis.url(),
                "--relaygate.redis.command-timeout=2s",
                "--relaygate.ratelimit.command-timeout=2s",
                "--relaygate.control-plane.url=http://127.0.0.1:99",
                "--relaygate.usage.flush-interval=1h",
                "--relaygate.usage.spool.directory=" + spool,
                "--relaygate.chains[0].id=anvil",
                "--relaygate.chains[0].family=evm",
                "--relaygate.chains[0].upstreams[0].url=" + upstream.url(),
                "--relaygate.chains[0].retry.timeout=60s",
                "--relaygate.chains[0].retry.deadline=60s",
                "--relaygate.chains[0].hedging.enabled=false",
                // The response cache asks each upstream for its finalized head: the held upstream must see only the
                // relayed calls it counts.
                "--relaygate.cache.enabled=false");
    }

    private static int port(ConfigurableApplicationContext gateway) {
        return Integer.parseInt(gateway.getEnvironment().getProperty("local.server.port"));
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return true;
        }
        catch (ConnectException refused) {
            return false;
        }
        catch (IOException other) {
            return false;
        }
    }

    private record PublishedKey(String secret, String id) {
    }

    private record Answer(int status, String body) {
    }

    /** A JSON-RPC upstream that reads each call and holds its answer until {@link #answer()}. */
    private static final class HeldUpstream implements AutoCloseable {

        static final String ANSWER = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x2a\"}";

        private final AtomicInteger held = new AtomicInteger();

        private final Sinks.Empty<Void> release = Sinks.empty();

        private final DisposableServer server = HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .handle((request, response) -> request.receive().aggregate().asString()
                .doOnNext(body -> held.incrementAndGet())
                .then(release.asMono())
                .then(Mono.defer(() -> response.header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                    .sendByteArray(Mono.just(ANSWER.getBytes(StandardCharsets.UTF_8))).then())))
            .bindNow();

        String url() {
            return "http://127.0.0.1:" + server.port();
        }

        int held() {
            return held.get();
        }

        void answer() {
            release.tryEmitEmpty();
        }

        @Override
        public void close() {
            answer();
            server.disposeNow();
        }
    }
}
