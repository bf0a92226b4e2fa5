package dev.relaygate.gateway.io;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relaygate.gateway.testsupport.FailureRecorder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client connection's read timeout (pauses while a request comes in) and idle timeout (nothing under way), on the
 * loop's clock: read timeout 100 ms, idle timeout 1 s.
 */
class ConnectionTimeoutsTest {

    private final FailureRecorder recorder = new FailureRecorder();

    private final List<Throwable> failures = recorder.failures();

    private final EmbeddedChannel channel = new EmbeddedChannel();

    /** Time moves only when a test moves it: the handler's clock starts when it is added, frozen. */
    @BeforeEach
    void connect() {
        channel.freezeTime();
        channel.pipeline().addLast(new ConnectionTimeouts(Duration.ofMillis(100), Duration.ofSeconds(1)), recorder);
    }

    @Test
    void aClientThatStopsSendingMidRequestIsClosedAfterTheReadTimeout() {
        requestHead();
        elapse(99);
        assertThat(channel.isOpen()).isTrue();

        elapse(2);
        assertThat(channel.isOpen()).isFalse();
        // Closed, not failed: the request's handler sees a client that went away.
        assertThat(failures).isEmpty();
    }

    @Test
    void aBodyThatKeepsComingIsNotCutShort() {
        requestHead();
        for (int part = 0; part < 10; part++) {
            elapse(80);
            channel.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[] {'x'})));
        }
        channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);

        assertThat(failures).isEmpty();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void noTimeoutRunsWhileTheRequestIsBeingAnswered() {
        requestHead();
        channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);

        elapse(5_000);
        assertThat(channel.isOpen()).isTrue();

        answer();
        elapse(999);
        assertThat(channel.isOpen()).isTrue();
        elapse(2);
        assertThat(channel.isOpen()).isFalse();
        assertThat(failures).isEmpty();
    }

    @Test
    void aConnectionThatNeverSendsARequestIsClosedWhenIdle() {
        elapse(999);
        assertThat(channel.isOpen()).isTrue();

        elapse(2);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aKeepAliveConnectionInUseStaysOpen() {
        for (int request = 0; request < 20; request++) {
            elapse(900);
            requestHead();
            elapse(50);
            channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
            answer();
        }

        assertThat(failures).isEmpty();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void pipelinedRequestsKeepTheConnectionBusyUntilTheLastIsAnswered() {
        requestHead();
        channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
        requestHead();
        channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
        answer();

        elapse(3_000);
        assertThat(channel.isOpen()).isTrue();

        answer();
        elapse(1_001);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aContinueIsNotTheAnswer() {
        requestHead();
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);

        elapse(3_000);
        assertThat(channel.isOpen()).isTrue();
    }

    private void requestHead() {
        channel.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/evm"));
    }

    private void answer() {
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        Object written;
        while ((written = channel.readOutbound()) != null) {
            ReferenceCountUtil.release(written);
        }
    }

    private void elapse(long millis) {
        // In steps, as a real clock moves: each timer runs at its time.
        for (long step = 0; step < millis; step += 10) {
            channel.advanceTimeBy(Math.min(10, millis - step), TimeUnit.MILLISECONDS);
            channel.runScheduledPendingTasks();
        }
    }
}
