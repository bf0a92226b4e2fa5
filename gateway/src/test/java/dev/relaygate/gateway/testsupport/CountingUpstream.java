package dev.relaygate.gateway.testsupport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.handler.codec.http.HttpHeaderNames;
import org.awaitility.Awaitility;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A minimal JSON-RPC upstream on a free loopback port that reads every request body, answers a single call
 * with {@code {"jsonrpc":"2.0","id":1,"result":"0x10"}} and a batch with one {@code "0x10"} result per call
 * carrying the call's id, and counts the connections opened to it.
 */
public final class CountingUpstream implements AutoCloseable {

    public static final String ANSWER = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x10\"}";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Duration QUIET = Duration.ofMillis(250);

    private final AtomicInteger connections = new AtomicInteger();

    private final AtomicInteger requests = new AtomicInteger();

    private final DisposableServer server;

    public CountingUpstream() {
        this.server = HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .doOnChannelInit((observer, channel, address) -> connections.incrementAndGet())
            .handle((request, response) -> request.receive().aggregate().asString().defaultIfEmpty("")
                .flatMap(body -> {
                    requests.incrementAndGet();
                    byte[] answer = answer(body).getBytes(StandardCharsets.UTF_8);
                    return response.header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                        .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(answer.length))
                        .sendByteArray(Mono.just(answer))
                        .then();
                }))
            .bindNow();
    }

    private static String answer(String body) {
        if (!body.stripLeading().startsWith("[")) {
            return ANSWER;
        }
        StringBuilder batch = new StringBuilder("[");
        for (JsonNode call : JSON.readTree(body)) {
            if (call.has("id")) {
                batch.append(batch.length() > 1 ? "," : "")
                    .append("{\"jsonrpc\":\"2.0\",\"id\":").append(call.get("id")).append(",\"result\":\"0x10\"}");
            }
        }
        return batch.append(']').toString();
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    /**
     * The requests received, once none has arrived for 250 ms: a baseline that calls still on their way from an
     * earlier test of the shared context (an aborted client's, a retry's) cannot move afterwards.
     */
    public int settledRequests() {
        AtomicInteger seen = new AtomicInteger(requests.get());
        AtomicLong since = new AtomicLong(System.nanoTime());
        Awaitility.await().pollInterval(Duration.ofMillis(25)).atMost(Duration.ofSeconds(10)).until(() -> {
            int now = requests.get();
            if (now != seen.getAndSet(now)) {
                since.set(System.nanoTime());
                return false;
            }
            return System.nanoTime() - since.get() >= QUIET.toNanos();
        });
        return seen.get();
    }

    public int connectionsOpened() {
        return connections.get();
    }

    public int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
