package dev.relaygate.gateway.testsupport;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A minimal JSON-RPC upstream on a free loopback port that reads every request body, answers
 * {@code {"jsonrpc":"2.0","id":1,"result":"0x10"}}, and counts the connections opened to it.
 */
public final class CountingUpstream implements AutoCloseable {

    public static final String ANSWER = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x10\"}";

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
                    byte[] answer = ANSWER.getBytes(StandardCharsets.UTF_8);
                    return response.header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                        .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(answer.length))
                        .sendByteArray(Mono.just(answer))
                        .then();
                }))
            .bindNow();
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
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
