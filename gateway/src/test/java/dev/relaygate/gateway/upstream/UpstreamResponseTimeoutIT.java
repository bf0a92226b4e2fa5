package dev.relaygate.gateway.upstream;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.timeout.ReadTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerResponse;
import reactor.test.StepVerifier;

import dev.relaygate.gateway.config.UpstreamProperties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The response timeout of an upstream call, as a relayed call meets it: the wait for the answer, or between two of
 * its parts, is bounded; an answer that keeps coming is not cut short; a connection that timed out is not reused.
 */
class UpstreamResponseTimeoutIT {

    private static final byte[] ANSWER = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}"
            .getBytes(StandardCharsets.US_ASCII);

    /** What a slow answer says, so that a late one read by the wrong call shows. */
    private static final byte[] SLOW_ANSWER = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x2\"}"
            .getBytes(StandardCharsets.US_ASCII);

    /** The configured response timeout: calls that give none of their own get it. */
    private final UpstreamClient client = new UpstreamClient(new UpstreamProperties(64, Duration.ofSeconds(2),
            Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofMillis(400), 1024 * 1024));

    /**
     * Answers at once, except {@code /slow/N} (answers after N ms) and {@code /drip/N} (the answer in 4 parts, N ms
     * apart).
     */
    private final DisposableServer upstream = HttpServer.create().host("127.0.0.1").port(0)
        .route(routes -> routes
            .post("/fast", (request, response) -> request.receive().then(json(response).sendByteArray(Mono.just(ANSWER))
                .then()))
            .post("/slow/{millis}", (request, response) -> request.receive()
                .then(Mono.delay(Duration.ofMillis(Long.parseLong(request.param("millis")))))
                .then(json(response).sendByteArray(Mono.just(SLOW_ANSWER)).then()))
            .post("/drip/{millis}", (request, response) -> request.receive().then(json(response)
                .sendByteArray(Flux.range(0, 4)
                    .delayElements(Duration.ofMillis(Long.parseLong(request.param("millis"))))
                    .map(part -> part(part)))
                .then())))
        .bindNow();

    @AfterEach
    void stop() {
        client.close();
        upstream.disposeNow();
    }

    @Test
    void anAnswerSlowerThanTheCallsTimeoutFailsWithAReadTimeout() {
        long started = System.nanoTime();

        StepVerifier.create(client.post(uri("/slow/2000"), body(), Duration.ofMillis(150)))
            .expectError(ReadTimeoutException.class)
            .verify(Duration.ofSeconds(5));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(150), Duration.ofMillis(1500));
    }

    @Test
    void aCallWithoutATimeoutOfItsOwnHasTheConfiguredOne() {
        long started = System.nanoTime();

        StepVerifier.create(client.post(uri("/slow/3000"), body()))
            .expectError(ReadTimeoutException.class)
            .verify(Duration.ofSeconds(5));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(400), Duration.ofMillis(2500));
        // Within it, a slow answer is read.
        assertThat(client.post(uri("/slow/100"), body()).block(Duration.ofSeconds(5)).body()).isEqualTo(SLOW_ANSWER);
    }

    @Test
    void anAnswerThatKeepsComingIsReadWholeThoughItTakesLongerThanTheTimeout() {
        // 4 parts 150 ms apart: 600 ms in all, never 300 ms without a read.
        UpstreamResponse answer = client.post(uri("/drip/150"), body(), Duration.ofMillis(300))
            .block(Duration.ofSeconds(5));

        assertThat(new String(answer.body(), StandardCharsets.US_ASCII)).isEqualTo("0123");
    }

    @Test
    void aPauseInTheAnswerLongerThanTheTimeoutFailsIt() {
        StepVerifier.create(client.post(uri("/drip/500"), body(), Duration.ofMillis(200)))
            .expectError(ReadTimeoutException.class)
            .verify(Duration.ofSeconds(5));
    }

    @Test
    void callsOneAfterAnotherAreTimedEachOnItsOwnAndACallAfterATimeoutIsAnswered() {
        // Four calls of 100 ms under a 300 ms timeout: 400 ms in all. (That a kept-alive connection re-arms its
        // deadline per call is ResponseDeadlineTest's; the pool may or may not hand these calls one connection.)
        for (int call = 0; call < 4; call++) {
            assertThat(client.post(uri("/slow/100"), body(), Duration.ofMillis(300)).block(Duration.ofSeconds(5))
                .body()).isEqualTo(SLOW_ANSWER);
        }

        StepVerifier.create(client.post(uri("/slow/2000"), body(), Duration.ofMillis(100)))
            .expectError(ReadTimeoutException.class)
            .verify(Duration.ofSeconds(5));

        // The timed-out connection was closed, not pooled: a call after it gets its own answer, never the late one.
        assertThat(client.post(uri("/fast"), body(), Duration.ofMillis(3000)).block(Duration.ofSeconds(5)).body())
            .isEqualTo(ANSWER);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + upstream.port() + path);
    }

    private static byte[] body() {
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\"}".getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] part(long part) {
        return Long.toString(part).getBytes(StandardCharsets.US_ASCII);
    }

    private static HttpServerResponse json(HttpServerResponse response) {
        return response.header(HttpHeaderNames.CONTENT_TYPE, "application/json");
    }
}
