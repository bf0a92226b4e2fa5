package dev.relaygate.gateway.hotpath;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.awaitility.Awaitility;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;


/**
 * A WebSocket client for tests (Reactor Netty's): what it received, in order, and how the server closed it. It answers
 * the server's pings with pongs, as browsers, ethers and viem do, unless made {@link #deaf}.
 */
final class TestSocket implements AutoCloseable {

    private final Queue<String> received = new ConcurrentLinkedQueue<>();

    private final Queue<String> pongs = new ConcurrentLinkedQueue<>();

    private final AtomicInteger pings = new AtomicInteger();

    private final Sinks.Many<WebSocketFrame> outgoing = Sinks.many().unicast().onBackpressureBuffer();

    private final AtomicReference<WebSocketCloseStatus> closeStatus = new AtomicReference<>();

    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private final Disposable connection;

    TestSocket(String url) {
        this(url, true);
    }

    private TestSocket(String url, boolean answersPings) {
        connection = HttpClient.create()
            .websocket(WebsocketClientSpec.builder().handlePing(true).maxFramePayloadLength(16 * 1024 * 1024).build())
            .uri(url)
            .handle((in, out) -> {
                in.receiveCloseStatus().subscribe(closeStatus::set);
                return out.sendObject(outgoing.asFlux()).then()
                    .and(in.aggregateFrames(16 * 1024 * 1024).receiveFrames().doOnNext(frame -> {
                        if (frame instanceof TextWebSocketFrame text) {
                            received.add(text.text());
                        }
                        else if (frame instanceof PingWebSocketFrame ping) {
                            pings.incrementAndGet();
                            if (answersPings) {
                                emit(new PongWebSocketFrame(Unpooled.copiedBuffer(ping.content())));
                            }
                        }
                        else if (frame instanceof PongWebSocketFrame pong) {
                            pongs.add(pong.content().toString(StandardCharsets.UTF_8));
                        }
                    }).then());
            })
            .subscribe(null, failure::set);
    }

    /** A client that never answers the server's pings (a dead peer behind a live TCP connection). */
    static TestSocket deaf(String url) {
        return new TestSocket(url, false);
    }

    void send(String message) {
        emit(new TextWebSocketFrame(message));
    }

    /** Sends one frame as it is (a fragment, a ping). */
    void sendFrame(WebSocketFrame frame) {
        emit(frame);
    }

    private synchronized void emit(WebSocketFrame frame) {
        outgoing.emitNext(frame, Sinks.EmitFailureHandler.FAIL_FAST);
    }

    /** Waits for the first received message that matches, and takes it (and nothing else) out of the queue. */
    String await(Predicate<String> matching) {
        AtomicReference<String> found = new AtomicReference<>();
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(() -> {
            for (String message : received) {
                if (matching.test(message) && received.remove(message)) {
                    found.set(message);
                    return true;
                }
            }
            return false;
        });
        return found.get();
    }

    /** Everything received so far that matches, in order. */
    List<String> all(Predicate<String> matching) {
        List<String> matches = new ArrayList<>();
        for (String message : received) {
            if (matching.test(message)) {
                matches.add(message);
            }
        }
        return matches;
    }

    /** The server's pings received so far. */
    int pings() {
        return pings.get();
    }

    /** The payloads of the server's pongs, in order. */
    List<String> pongs() {
        return List.copyOf(pongs);
    }

    WebSocketCloseStatus closeStatus() {
        return closeStatus.get();
    }

    Throwable failure() {
        return failure.get();
    }

    /** The answer to an upgrade that was refused: its HTTP status and body. */
    record Refusal(int status, String body) {
    }

    /** A WebSocket handshake by hand, to read a refusal's status and body ({@code url} is http://…). */
    static Refusal handshake(String url) {
        // A connection of its own: an upgraded one must not go back to a pool.
        return HttpClient.newConnection()
            .headers(headers -> headers.set(HttpHeaderNames.UPGRADE, "websocket")
                .set(HttpHeaderNames.CONNECTION, "Upgrade")
                .set(HttpHeaderNames.SEC_WEBSOCKET_KEY, "dGhlIHNhbXBsZSBub25jZQ==")
                .set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13"))
            .get()
            .uri(url)
            .responseSingle((response, body) -> body.asString(StandardCharsets.UTF_8).defaultIfEmpty("")
                .map(text -> new Refusal(response.status().code(), text)))
            .block(Duration.ofSeconds(10));
    }

    @Override
    public void close() {
        outgoing.tryEmitComplete();
        connection.dispose();
    }
}
