package dev.relaygate.gateway.upstream;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

import dev.relaygate.gateway.config.UpstreamProperties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A call made on an event loop stays on it: its answer is read on the loop that sent it, over connections of that
 * loop's own pool, so a relayed call never crosses threads between the client's connection and the upstream's.
 */
class UpstreamClientEventLoopIT {

    private static final byte[] ANSWER = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}"
            .getBytes(StandardCharsets.US_ASCII);

    private final LoopResources loops = LoopResources.create("test-loop", 2, true);

    private final UpstreamClient client = new UpstreamClient(new UpstreamProperties(64, Duration.ofSeconds(2),
            Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofSeconds(30), 1024 * 1024),
            loops.onServer(true));

    /** Another group's loops (as Lettuce's are): their calls use the pool for calls made off the server's loops. */
    private final LoopResources others = LoopResources.create("other-loop", 1, true);

    /** Remote ports of the connections the upstream accepted: one per connection opened. */
    private final Set<Integer> connections = ConcurrentHashMap.newKeySet();

    private final DisposableServer upstream = HttpServer.create().host("127.0.0.1").port(0)
        .doOnConnection(connection -> connections.add(
                ((java.net.InetSocketAddress) connection.channel().remoteAddress()).getPort()))
        .handle((request, response) -> request.receive().then(response
            .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
            .sendByteArray(Mono.just(ANSWER))
            .then()))
        .bindNow();

    @AfterEach
    void stop() {
        client.close();
        upstream.disposeNow();
        loops.disposeLater().block(Duration.ofSeconds(10));
        others.disposeLater().block(Duration.ofSeconds(10));
    }

    @Test
    void anAnswerIsReadOnTheEventLoopThatMadeTheCall() {
        URI uri = URI.create("http://127.0.0.1:" + upstream.port() + "/");
        List<EventLoop> callers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            callers.add(loops.onServer(true).next().next());
        }
        assertThat(callers.get(0)).isNotSameAs(callers.get(1));

        // 200 calls from each loop, 20 at a time: each answer must arrive on the caller's own thread.
        AtomicInteger elsewhere = new AtomicInteger();
        List<Mono<Void>> rounds = new ArrayList<>();
        for (EventLoop caller : callers) {
            rounds.add(Flux.range(0, 200)
                .flatMap(i -> onLoop(caller, () -> client.post(uri, body())
                        .doOnNext(answer -> {
                            if (!caller.inEventLoop()) {
                                elsewhere.incrementAndGet();
                            }
                            assertThat(answer.body()).isEqualTo(ANSWER);
                        })), 20)
                .then());
        }
        Mono.when(rounds).block(Duration.ofSeconds(30));

        assertThat(elsewhere).hasValue(0);
        // Kept alive and reused: at most the concurrency of each loop, not one connection per call.
        assertThat(connections).hasSizeLessThanOrEqualTo(40);
    }

    @Test
    void aCallOnAnotherGroupsLoopDoesNotGetThatLoopsOwnPool() {
        URI uri = URI.create("http://127.0.0.1:" + upstream.port() + "/");
        EventLoop foreign = others.onServer(true).next();
        Boolean onForeignLoop = onLoop(foreign, () -> client.post(uri, body()).map(answer -> foreign.inEventLoop()))
            .block(Duration.ofSeconds(10));
        // Answered on one of the shared pool's loops, not on the caller's: that loop is not the server's.
        assertThat(onForeignLoop).isFalse();
    }

    @Test
    void aCallOffTheEventLoopsIsAnsweredToo() {
        URI uri = URI.create("http://127.0.0.1:" + upstream.port() + "/");
        UpstreamResponse answer = Mono.fromCallable(() -> 1)
            .flatMap(any -> client.post(uri, body()))
            .block(Duration.ofSeconds(10));
        assertThat(answer).isNotNull();
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo(ANSWER);
    }

    @Test
    void maxConnectionsIsSharedOutBetweenThePools() {
        int pools = LoopResources.DEFAULT_IO_WORKER_COUNT + 1;
        assertThat(UpstreamClient.share(1)).isEqualTo(1);
        assertThat(UpstreamClient.share(512)).isEqualTo((512 + pools - 1) / pools);
        assertThat(UpstreamClient.share(512) * pools).isBetween(512, 512 + pools - 1);
    }

    /** Subscribes to {@code call} on {@code loop}'s thread, as a request read on that loop would. */
    private static <T> Mono<T> onLoop(EventLoop loop, java.util.function.Supplier<Mono<T>> call) {
        Sinks.One<T> result = Sinks.one();
        loop.execute(() -> call.get().subscribe(result::tryEmitValue, result::tryEmitError, result::tryEmitEmpty));
        return result.asMono();
    }

    private static byte[] body() {
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}"
                .getBytes(StandardCharsets.US_ASCII);
    }
}
