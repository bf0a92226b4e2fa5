package dev.relaygate.gateway.io;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Ticker;

/**
 * The HTTP server's slow-client timeouts of one client connection, for the connection's life: the <b>read
 * timeout</b> (the longest pause while a request is being received, once its head is in: the connection is
 * closed) and the <b>idle timeout</b> (a keep-alive connection with no request
 * under way and nothing left to answer is closed after this long). While a request is being answered neither runs:
 * the upstream's timeouts bound that wait.
 * <p>
 * Reactor Netty's {@code readTimeout} and {@code idleTimeout} do the same by adding a handler to the connection's
 * pipeline and removing it again for every request (a read-timeout handler while the request is received, an idle
 * handler between requests), each with its own timer: four pipeline changes and two timers per request, ~2 µs of
 * the ~70 µs a relayed call costs (load-tests/bench/performance-notes.md). Here a request only moves a few fields;
 * one timer per connection is always pending, due at the nearest deadline and never later than the shorter timeout
 * ahead, so that a request starting never has to move it earlier: it fires about once per read timeout on a busy
 * connection, finds nothing due, and is set again.
 * <p>
 * Placed after the HTTP codec, it sees requests and responses as Netty's HTTP objects. Everything runs on the
 * connection's event loop. A WebSocket upgrade removes it ({@code SocketSession}): a socket has its own idle rules.
 */
public final class ConnectionTimeouts extends ChannelDuplexHandler {

    public static final String NAME = "relaygate.connectionTimeouts";

    private final long readTimeoutNanos;

    private final long idleTimeoutNanos;

    private Ticker ticker = Ticker.systemTicker();

    private ChannelHandlerContext context;

    /** A request's head was read and its last part not yet. */
    private boolean receiving;

    /** Requests read and not yet answered in full (more than one when a client pipelines). */
    private int unanswered;

    private long lastRead;

    /** When the connection last had nothing to receive nor to answer. */
    private long idleSince;

    private Future<?> timer;

    public ConnectionTimeouts(Duration readTimeout, Duration idleTimeout) {
        this.readTimeoutNanos = Math.max(1, readTimeout.toNanos());
        this.idleTimeoutNanos = Math.max(1, idleTimeout.toNanos());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
        if (ctx.executor() instanceof AbstractScheduledEventExecutor executor) {
            ticker = executor.ticker();
        }
        long now = ticker.nanoTime();
        lastRead = now;
        idleSince = now;
        schedule(now);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimer();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelTimer();
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        lastRead = ticker.nanoTime();
        if (msg instanceof HttpRequest) {
            receiving = true;
            unanswered++;
        }
        if (msg instanceof LastHttpContent) {
            receiving = false;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof LastHttpContent && !informational(msg) && unanswered > 0 && --unanswered == 0
                && !receiving) {
            idleSince = ticker.nanoTime();
        }
        ctx.write(msg, promise);
    }

    private void expire() {
        timer = null;
        // Removed (a WebSocket upgrade) or closed meanwhile: nothing to time any more.
        if (context.isRemoved() || !context.channel().isActive()) {
            return;
        }
        long now = ticker.nanoTime();
        if (receiving && now - lastRead >= readTimeoutNanos) {
            // Closed, not failed with an exception: the request's handler then sees a client that went away, which
            // it is. Reactor Netty's read timeout raised ReadTimeoutException through the pipeline, which the hot
            // path logged as its own failure at ERROR, with a second ERROR for the error dropped after the close.
            context.close();
            return;
        }
        if (idle() && now - Math.max(idleSince, lastRead) >= idleTimeoutNanos) {
            context.close();
            return;
        }
        schedule(now);
    }

    /**
     * Sets the timer at the nearest deadline, and at most the shorter timeout ahead: a request starting, or an answer
     * ending, then never needs it moved earlier.
     */
    private void schedule(long now) {
        long due = now + Math.min(readTimeoutNanos, idleTimeoutNanos);
        if (receiving) {
            due = Math.min(due, lastRead + readTimeoutNanos);
        }
        else if (idle()) {
            due = Math.min(due, Math.max(idleSince, lastRead) + idleTimeoutNanos);
        }
        timer = context.executor().schedule(this::expire, Math.max(0, due - now), TimeUnit.NANOSECONDS);
    }

    /** A {@code 100 Continue} is written whole before the request's body is read: not the request's answer. */
    private static boolean informational(Object msg) {
        return msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }

    private boolean idle() {
        return !receiving && unanswered == 0;
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
