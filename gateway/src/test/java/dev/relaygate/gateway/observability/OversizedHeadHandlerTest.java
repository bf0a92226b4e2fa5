package dev.relaygate.gateway.observability;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OversizedHeadHandlerTest {

    private static final int MAX_LINE = 100;

    private static final int MAX_HEADERS = 200;

    private final EmbeddedChannel channel = new EmbeddedChannel(
            new HttpServerCodec(new HttpDecoderConfig().setMaxInitialLineLength(MAX_LINE).setMaxHeaderSize(MAX_HEADERS)),
            new OversizedHeadHandler());

    @AfterEach
    void releaseEverything() {
        channel.finishAndReleaseAll();
    }

    @Test
    void answersARequestLineOverTheLimitWith414AndAJsonRpcErrorThenCloses() {
        send("POST /v1/anvil?q=" + "q".repeat(MAX_LINE) + " HTTP/1.1\r\nHost: a\r\n\r\n");

        String answer = answer();

        assertThat(answer).startsWith("HTTP/1.1 414 Request-URI Too Long\r\n");
        assertThat(answer).endsWith(
                "\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"request line too long\"}}");
        assertHygiene(answer);
        assertThat(channel.isOpen()).isFalse();
        assertThat((Object) channel.readInbound()).as("nothing reaches Reactor Netty").isNull();
    }

    @Test
    void answersHeadersOverTheLimitWith431AndAJsonRpcErrorThenCloses() {
        send("POST /v1/anvil HTTP/1.1\r\nHost: a\r\nX-Padding: " + "p".repeat(MAX_HEADERS) + "\r\n\r\n{}");

        String answer = answer();

        assertThat(answer).startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n");
        assertThat(answer).endsWith(
                "\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"request headers too large\"}}");
        assertHygiene(answer);
        assertThat(channel.isOpen()).isFalse();
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void passesRequestsWithinTheLimitsThroughUntouched() {
        send("POST /v1/anvil HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}");

        Object head = channel.readInbound();
        Object content = channel.readInbound();

        assertThat(head).isInstanceOf(HttpRequest.class);
        assertThat(((HttpRequest) head).decoderResult().isSuccess()).isTrue();
        assertThat(content).isInstanceOf(LastHttpContent.class);
        ReferenceCountUtil.release(content);
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void leavesOtherDecodingFailuresToReactorNetty() {
        FullHttpRequest broken = new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request");
        broken.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("invalid header")));
        EmbeddedChannel alone = new EmbeddedChannel(new OversizedHeadHandler());

        alone.writeInbound(broken);

        assertThat((Object) alone.readInbound()).isSameAs(broken);
        assertThat((Object) alone.readOutbound()).isNull();
        alone.finishAndReleaseAll();
    }

    @Test
    void releasesTheRefusedRequest() {
        FullHttpRequest refused = new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request",
                Unpooled.buffer(8).writeZero(8));
        refused.setDecoderResult(DecoderResult.failure(
                new io.netty.handler.codec.http.TooLongHttpLineException("An HTTP line is larger than 8192 bytes.")));
        EmbeddedChannel alone = new EmbeddedChannel(new OversizedHeadHandler());

        alone.writeInbound(refused);

        assertThat(refused.refCnt()).isZero();
        alone.finishAndReleaseAll();
    }

    @Test
    void answersAfterTheResponseToAnEarlierPipelinedRequest() {
        send("POST /v1/anvil HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"
                + "POST /v1/anvil HTTP/1.1\r\nHost: a\r\nX-Padding: " + "p".repeat(MAX_HEADERS) + "\r\n\r\n");
        Object first = channel.readInbound();
        ReferenceCountUtil.release(channel.readInbound());
        assertThat(first).isInstanceOf(HttpRequest.class);
        assertThat((Object) channel.readOutbound()).as("no answer before the first one").isNull();

        DefaultFullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer("first", StandardCharsets.US_ASCII));
        ok.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 5);
        channel.writeOutbound(ok);

        String answers = answer();
        assertThat(answers).startsWith("HTTP/1.1 200 OK\r\n");
        assertThat(answers).contains("first" + "HTTP/1.1 431 Request Header Fields Too Large\r\n");
        assertThat(answers).endsWith("\"message\":\"request headers too large\"}}");
        assertThat(channel.isOpen()).isFalse();
    }

    private void send(String request) {
        channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
    }

    /** Everything written to the wire so far, as text. */
    private String answer() {
        StringBuilder text = new StringBuilder();
        for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
            ByteBuf bytes = (ByteBuf) out;
            text.append(bytes.toString(StandardCharsets.UTF_8));
            bytes.release();
        }
        return text.toString();
    }

    private static void assertHygiene(String answer) {
        String head = answer.substring(0, answer.indexOf("\r\n\r\n") + 2).toLowerCase();
        assertThat(head).contains("\r\ncontent-type: application/json\r\n", "\r\ncache-control: no-store\r\n",
                "\r\nx-content-type-options: nosniff\r\n", "\r\nconnection: close\r\n");
        assertThat(head).containsPattern("\r\nx-request-id: [0-9a-f]{32}\r\n");
        int length = answer.length() - answer.indexOf("\r\n\r\n") - 4;
        assertThat(head).contains("\r\ncontent-length: " + length + "\r\n");
    }
}
