package dev.relaygate.gateway.hotpath;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MessageAssemblerTest {

    private final MessageAssembler assembler = new MessageAssembler(10);

    @Test
    void aWholeFrameIsAMessage() {
        assertThat(assembler.add(text(true, "0123456789"))).isInstanceOfSatisfying(MessageAssembler.Message.class,
                message -> assertThat(new String(message.body(), StandardCharsets.US_ASCII)).isEqualTo("0123456789"));
    }

    @Test
    void fragmentsMakeOneMessageAndControlFramesBetweenThemDoNotCount() {
        assertThat(assembler.add(text(false, "0123"))).isInstanceOf(MessageAssembler.Partial.class);
        assertThat(assembler.add(new PingWebSocketFrame())).isInstanceOf(MessageAssembler.Partial.class);
        assertThat(assembler.add(continuation(false, "456"))).isInstanceOf(MessageAssembler.Partial.class);
        assertThat(assembler.add(continuation(true, "789"))).isInstanceOfSatisfying(MessageAssembler.Message.class,
                message -> assertThat(new String(message.body(), StandardCharsets.US_ASCII)).isEqualTo("0123456789"));
        assertThat(assembler.add(text(true, "next"))).isInstanceOf(MessageAssembler.Message.class);
    }

    @Test
    void fragmentsEachUnderTheLimitButTogetherOverItAreTooBig() {
        assertThat(assembler.add(text(false, "012345"))).isInstanceOf(MessageAssembler.Partial.class);
        assertThat(assembler.add(continuation(true, "6789X"))).isInstanceOf(MessageAssembler.TooBig.class);
    }

    @Test
    void aWholeFrameOverTheLimitIsTooBig() {
        assertThat(assembler.add(text(true, "0123456789X"))).isInstanceOf(MessageAssembler.TooBig.class);
    }

    private static TextWebSocketFrame text(boolean last, String text) {
        return new TextWebSocketFrame(last, 0, Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
    }

    private static ContinuationWebSocketFrame continuation(boolean last, String text) {
        return new ContinuationWebSocketFrame(last, 0, Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
    }
}
