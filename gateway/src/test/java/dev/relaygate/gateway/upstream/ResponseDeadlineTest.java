package dev.relaygate.gateway.upstream;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.ReadTimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relaygate.gateway.testsupport.FailureRecorder;

import static org.assertj.core.api.Assertions.assertThat;

/** An upstream connection's response timeout: from the request's send, or its answer's last read, on the loop's clock. */
class ResponseDeadlineTest {

    private final ResponseDeadline deadline = new ResponseDeadline();

    private final FailureRecorder recorder = new FailureRecorder();

    private final List<Throwable> failures = recorder.failures();

    private final EmbeddedChannel channel = new EmbeddedChannel();

    /** Time moves only when a test moves it: the handler's clock starts when it is added, frozen. */
    @BeforeEach
    void connect() {
        channel.freezeTime();
        channel.pipeline().addLast(deadline, recorder);
    }

    @Test
    void aRequestWithoutAnAnswerFailsWithAReadTimeoutAndItsConnectionCloses() {
        deadline.arm(Duration.ofMillis(100));

        elapse(99);
        assertThat(failures).isEmpty();
        assertThat(channel.isOpen()).isTrue();

        elapse(2);
        assertThat(failures).containsExactly(ReadTimeoutException.INSTANCE);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void eachReadOfTheAnswerStartsTheWaitAgain() {
        deadline.arm(Duration.ofMillis(100));

        elapse(60);
        channel.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[] {'{'})));
        elapse(60);
        assertThat(failures).isEmpty();

        elapse(41);
        assertThat(failures).containsExactly(ReadTimeoutException.INSTANCE);
    }

    @Test
    void theLastPartOfTheAnswerEndsTheWait() {
        deadline.arm(Duration.ofMillis(100));

        channel.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[] {'{'})));
        channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(deadline.armed()).isFalse();
        elapse(10_000);

        assertThat(failures).isEmpty();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aKeepAliveConnectionTimesEachRequestOnItsOwn() {
        for (int call = 0; call < 5; call++) {
            deadline.arm(Duration.ofMillis(100));
            elapse(90);
            channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        assertThat(failures).isEmpty();

        deadline.arm(Duration.ofMillis(100));
        elapse(101);
        assertThat(failures).containsExactly(ReadTimeoutException.INSTANCE);
    }

    @Test
    void aShorterTimeoutAfterALongerOneIsKept() {
        deadline.arm(Duration.ofSeconds(30));
        channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);

        deadline.arm(Duration.ofMillis(100));
        elapse(101);

        assertThat(failures).containsExactly(ReadTimeoutException.INSTANCE);
    }

    @Test
    void aLongerTimeoutAfterAShorterOneIsKept() {
        deadline.arm(Duration.ofMillis(100));
        channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);

        deadline.arm(Duration.ofSeconds(1));
        elapse(500);
        assertThat(failures).isEmpty();

        elapse(501);
        assertThat(failures).containsExactly(ReadTimeoutException.INSTANCE);
    }

    @Test
    void aClosedConnectionLeavesNoTimerBehind() {
        deadline.arm(Duration.ofMillis(100));
        channel.close();
        elapse(1_000);

        assertThat(failures).isEmpty();
    }

    private void elapse(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }
}
