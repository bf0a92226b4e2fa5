package dev.relaygate.gateway.hotpath;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.awaitility.Awaitility;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;


/** A WebSocket client for tests (Reactor Netty's): what it received, in order, and how the server closed it. */
final class TestSocket implements AutoCloseable {

    private final Queue<String> received = new ConcurrentLinkedQueue<>();

    private final Sinks.Many<String> outgoing = Sinks.many().unicast().onBackpressureBuffer();

    private final AtomicReference<WebSocketCloseStatus> closeStatus = new AtomicReference<>();

    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private final Disposable connection;

    TestSocket(String url) {
        connection = HttpClient.create()
            .websocket()
            .uri(url)
            .handle((in, out) -> {
                in.receiveCloseStatus().subscribe(closeStatus::set);
                return out.sendString(outgoing.asFlux()).then()
                    .and(in.receive().asString().doOnNext(received::add).then());
            })
            .subscribe(null, failure::set);
    }

    void send(String message) {
        outgoing.emitNext(message, Sinks.EmitFailureHandler.FAIL_FAST);
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

    WebSocketCloseStatus closeStatus() {
        return closeStatus.get();
    }

    Throwable failure() {
        return failure.get();
    }

    @Override
    public void close() {
        outgoing.tryEmitComplete();
        connection.dispose();
    }
}
