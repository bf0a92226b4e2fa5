package dev.relaygate.gateway.upstream;

import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;

import dev.relaygate.gateway.io.Timers;

/**
 * A call cut off at a deadline: its value or error if it ends in time, else a {@link TimeoutException} and the call
 * cancelled. What Reactor's {@code timeout(Duration)} does, on {@link Timers} of the caller's choosing, and without
 * the description string {@code timeout} builds for every request.
 */
final class Deadline {

    private Deadline() {
    }

    static <T> Mono<T> within(Mono<T> call, long nanos, Timers timers) {
        return Mono.create(sink -> {
            AtomicBoolean ended = new AtomicBoolean();
            Disposable.Swap running = Disposables.swap();
            Disposable timer = timers.schedule(() -> {
                if (ended.compareAndSet(false, true)) {
                    running.dispose();
                    sink.error(new DeadlinePassed());
                }
            }, nanos);
            sink.onCancel(() -> {
                timer.dispose();
                running.dispose();
            });
            running.update(call.subscribe(value -> {
                if (ended.compareAndSet(false, true)) {
                    timer.dispose();
                    sink.success(value);
                }
            }, error -> {
                if (ended.compareAndSet(false, true)) {
                    timer.dispose();
                    sink.error(error);
                }
            }, () -> {
                if (ended.compareAndSet(false, true)) {
                    timer.dispose();
                    sink.success();
                }
            }));
        });
    }

    /** The deadline passed: an expected end of a slow call, so no stack trace is taken. */
    private static final class DeadlinePassed extends TimeoutException {

        DeadlinePassed() {
            super("deadline passed");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
