package dev.relaygate.gateway.io;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

import static org.assertj.core.api.Assertions.assertThat;

/** A request's timers run on the event loop that serves it, and off the loops on Reactor's parallel scheduler. */
class TimersTest {

    private final MultiThreadIoEventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @AfterEach
    void stop() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aTimerSetOnAnEventLoopRunsOnThatLoop() throws Exception {
        EventLoop loop = loops.next();
        CompletableFuture<Boolean> ranOnTheLoop = new CompletableFuture<>();

        loop.execute(() -> Timers.current().schedule(() -> ranOnTheLoop.complete(loop.inEventLoop()), 1_000_000));

        assertThat(ranOnTheLoop.get(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aCancelledTimerDoesNotRun() throws Exception {
        EventLoop loop = loops.next();
        CompletableFuture<Boolean> ran = new CompletableFuture<>();
        CompletableFuture<Boolean> later = new CompletableFuture<>();

        loop.submit(() -> {
            Disposable timer = Timers.current().schedule(() -> ran.complete(true), 20_000_000);
            timer.dispose();
            // A second timer set after the first, due after it: when it runs, the first would have.
            Timers.current().schedule(() -> later.complete(true), 40_000_000);
        }).sync();

        assertThat(later.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).isNotDone();
    }

    @Test
    void offTheEventLoopsTimersRunOnReactorsParallelScheduler() throws Exception {
        CompletableFuture<String> thread = new CompletableFuture<>();

        Timers.current().schedule(() -> thread.complete(Thread.currentThread().getName()), 1_000_000);

        assertThat(thread.get(5, TimeUnit.SECONDS)).startsWith("parallel-");
    }
}
