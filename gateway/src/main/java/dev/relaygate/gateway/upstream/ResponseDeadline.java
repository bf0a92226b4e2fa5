package dev.relaygate.gateway.upstream;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Ticker;

/**
 * The response timeout of an upstream connection, installed once for the connection's life: the longest wait for
 * the answer, or between two of its reads, once a request is sent. When it passes, the connection fails with
 * {@link ReadTimeoutException} and is closed, as Reactor Netty's {@code responseTimeout} does.
 * <p>
 * Reactor Netty's {@code responseTimeout} adds a read-timeout handler to the pipeline for each request and removes
 * it after the answer, with a timer scheduled and cancelled each time: a handler context, a scheduled task and a
 * pipeline change (under the pipeline's lock) per relayed call, ~2 µs of the ~76 µs of CPU and ~550 bytes of the
 * allocation of a relayed call, as measured (load-tests/bench/performance-notes.md). Here a request only stores its timeout and the time:
 * one timer per connection, rescheduled when it fires while a request is still waiting, so a keep-alive connection
 * serving call after call schedules about one task per timeout period.
 * <p>
 * Everything runs on the connection's event loop: {@link #arm} is called from the request's send (on that loop),
 * the reads and the timer are the loop's.
 */
final class ResponseDeadline extends ChannelDuplexHandler {

    static final String NAME = "relaygate.responseDeadline";

    private Ticker ticker = Ticker.systemTicker();

    private ChannelHandlerContext context;

    /** The armed request's timeout in nanoseconds, 0 when no request waits for its answer. */
    private long timeoutNanos;

    /** When the armed request was sent or last read from. */
    private long lastActivity;

    /** The pending timer, or {@code null}; it may be due later than the armed deadline only by a shorter re-arm. */
    private Future<?> timer;

    private long timerDue;

    /** The deadline of {@code channel}, or {@code null} when it has none (the codec was not there to place it after). */
    static ResponseDeadline of(Channel channel) {
        return (ResponseDeadline) channel.pipeline().get(NAME);
    }

    /** Starts waiting for an answer of a request sent now, for at most {@code timeout} between reads. */
    void arm(Duration timeout) {
        long nanos = Math.max(1, timeout.toNanos());
        long now = ticker.nanoTime();
        timeoutNanos = nanos;
        lastActivity = now;
        if (timer == null || timerDue - now > nanos) {
            if (timer != null) {
                timer.cancel(false);
            }
            schedule(now, nanos);
        }
    }

    /** Whether a request waits for its answer (for tests). */
    boolean armed() {
        return timeoutNanos != 0;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
        if (ctx.executor() instanceof AbstractScheduledEventExecutor executor) {
            ticker = executor.ticker();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        disarm();
        cancelTimer();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        disarm();
        cancelTimer();
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (timeoutNanos != 0) {
            if (msg instanceof LastHttpContent) {
                disarm();
            }
            else {
                lastActivity = ticker.nanoTime();
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void disarm() {
        timeoutNanos = 0;
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void schedule(long now, long delayNanos) {
        timerDue = now + delayNanos;
        timer = context.executor().schedule(this::expire, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void expire() {
        timer = null;
        if (timeoutNanos == 0 || context.isRemoved()) {
            return;
        }
        long now = ticker.nanoTime();
        long left = lastActivity + timeoutNanos - now;
        if (left > 0) {
            schedule(now, left);
            return;
        }
        disarm();
        context.fireExceptionCaught(ReadTimeoutException.INSTANCE);
        context.close();
    }
}
