package dev.relaygate.gateway.io;

import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Where a request's timers run: the hedging delay, the hedge loser's grace and the chain's deadline. On the event
 * loop that serves the request they cost a heap entry on that loop and nothing more: no lock, and no other thread to
 * wake, as Reactor's parallel scheduler needs for each task it is given (measured: about 4 % of the gateway's CPU on
 * a chain of two upstreams, issue #17). Answers come back on the caller's loop, so a timer is mostly cancelled there.
 * Used by the upstream router and by the rate limiter's wait for Redis.
 */
@FunctionalInterface
public interface Timers {

    /** Runs {@code task} after {@code delayNanos} unless the returned handle is disposed first. */
    Disposable schedule(Runnable task, long delayNanos);

    /** Timers on Reactor's {@code scheduler} (virtual time in tests). */
    static Timers on(Scheduler scheduler) {
        return (task, delayNanos) -> scheduler.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** Timers on {@code loop}. */
    static Timers on(EventExecutor loop) {
        return (task, delayNanos) -> {
            Future<?> scheduled = loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
            return () -> scheduled.cancel(false);
        };
    }

    /** Timers on the calling thread's event loop, or on Reactor's parallel scheduler off the event loops. */
    static Timers current() {
        EventExecutor loop = ThreadExecutorMap.currentExecutor();
        return loop != null ? on(loop) : OFF_THE_LOOPS;
    }

    /** Timers for callers on no event loop. */
    Timers OFF_THE_LOOPS = on(Schedulers.parallel());
}
