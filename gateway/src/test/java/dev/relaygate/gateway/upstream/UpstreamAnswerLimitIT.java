package dev.relaygate.gateway.upstream;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.test.StepVerifier;

import dev.relaygate.gateway.config.UpstreamProperties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An upstream answer over {@code max-response-bytes} is refused while it is read, never after it was held whole: a
 * node answering a {@code debug_traceBlock*} with hundreds of MB must not make the gateway buffer them.
 */
class UpstreamAnswerLimitIT {

    private static final int LIMIT = 64 * 1024;

    private static final byte[] CHUNK = "0123456789abcdef".repeat(512).getBytes(StandardCharsets.US_ASCII);

    private final AtomicLong sent = new AtomicLong();

    private DisposableServer upstream;

    private final UpstreamClient client = new UpstreamClient(new UpstreamProperties(8, Duration.ofSeconds(2),
            Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofSeconds(30), LIMIT));

    @AfterEach
    void stop() {
        client.close();
        if (upstream != null) {
            upstream.disposeNow();
        }
    }

    @Test
    void aChunkedAnswerIsRefusedAtTheChunkThatCrossesTheLimit() {
        // 512 MB in 8 KB chunks, as fast as the connection takes them: only a refusal while reading stops it early.
        upstream = HttpServer.create().host("127.0.0.1").port(0)
            .handle((request, response) -> request.receive().then(response
                .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .send(Flux.range(0, 65_536).map(i -> chunk()), buffer -> true)
                .then()))
            .bindNow();

        StepVerifier.create(client.post(URI.create("http://127.0.0.1:" + upstream.port() + "/"), body()))
            .expectError(UpstreamClient.UpstreamException.class)
            .verify(Duration.ofSeconds(30));

        // What was sent before the gateway closed: the limit, plus what was in flight in socket buffers.
        assertThat(sent.get()).isLessThan(64L * 1024 * 1024);
    }

    @Test
    void aDeclaredLengthOverTheLimitIsRefusedBeforeTheBodyIsRead() {
        upstream = HttpServer.create().host("127.0.0.1").port(0)
            .handle((request, response) -> request.receive().then(response
                .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .header(HttpHeaderNames.CONTENT_LENGTH, Long.toString(512L * 1024 * 1024))
                .send(Flux.range(0, 65_536).map(i -> chunk()), buffer -> true)
                .then()))
            .bindNow();

        StepVerifier.create(client.post(URI.create("http://127.0.0.1:" + upstream.port() + "/"), body()))
            .expectError(UpstreamClient.UpstreamException.class)
            .verify(Duration.ofSeconds(30));
        assertThat(sent.get()).isLessThan(64L * 1024 * 1024);
    }

    @Test
    void anAnswerWithinTheLimitComesBackWhole() {
        byte[] answer = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"" + "a".repeat(LIMIT - 64) + "\"}")
            .getBytes(StandardCharsets.US_ASCII);
        upstream = HttpServer.create().host("127.0.0.1").port(0)
            .handle((request, response) -> request.receive().then(response
                .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .sendByteArray(Flux.range(0, answer.length / 1000 + 1)
                    .map(i -> java.util.Arrays.copyOfRange(answer, i * 1000, Math.min(answer.length, (i + 1) * 1000))))
                .then()))
            .bindNow();

        StepVerifier.create(client.post(URI.create("http://127.0.0.1:" + upstream.port() + "/"), body()))
            .assertNext(response -> assertThat(response.body()).isEqualTo(answer))
            .verifyComplete();
    }

    private ByteBuf chunk() {
        sent.addAndGet(CHUNK.length);
        return Unpooled.wrappedBuffer(CHUNK);
    }

    private static byte[] body() {
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"debug_traceBlockByNumber\",\"params\":[\"0x1\"]}"
            .getBytes(StandardCharsets.US_ASCII);
    }

}
