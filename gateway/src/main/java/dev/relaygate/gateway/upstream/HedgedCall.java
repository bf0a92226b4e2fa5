package dev.relaygate.gateway.upstream;

import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

import dev.relaygate.gateway.io.Timers;

/**
 * A call and its hedge racing for one answer: the first call is sent at once, the hedge after a delay unless the
 * first has answered or failed by then, and the first value is the answer, handed on at once. Unlike
 * {@code Mono.firstWithValue}, the loser is not cancelled when the winner answers: it may finish within a grace, its
 * value discarded, and is cancelled only past it. Cancelling a pooled HTTP/1.1 call closes its connection, and at
 * saturation a gateway that cancels every hedge's loser opens a new upstream connection for nearly every hedge
 * (issue #17, docs/performance.md); a loser that finishes hands its connection back to the pool.
 * <p>
 * The answer fails (with the last branch's error) only when the call and its hedge, if one was sent, both end without
 * a value. A call that fails before the hedging delay ends the race at once: it has done its own failover, and a
 * hedge after it would be an attempt the retry rules did not allow. Cancelling the answer before it is given
 * cancels everything; after it is given, only the grace ends the loser. A loser's value needs no release: calls
 * hand on answers already read whole into a byte array, their buffers released.
 */
final class HedgedCall<T> {

    private static final int FIRST = 0;

    private static final int HEDGE = 1;

    private static final int WAITING = 0;

    private static final int SENT = 1;

    private static final int DROPPED = 2;

    private final MonoSink<T> sink;

    private final Supplier<Mono<T>> hedge;

    private final LongSupplier graceNanos;

    private final Runnable onAnswer;

    private final Timers timers;

    private final AtomicBoolean answered = new AtomicBoolean();

    /** Branches that may still give a value: the first call, and the hedge, sent or still waiting for its delay. */
    private final AtomicInteger open = new AtomicInteger(2);

    private final AtomicInteger hedgeState = new AtomicInteger(WAITING);

    /** Set on cancel, or when the loser's grace ended: a branch subscribed afterwards is disposed at once. */
    private volatile boolean cancelled;

    private volatile Disposable first;

    private volatile Disposable second;

    private volatile Disposable delay;

    private volatile Disposable cutoff;

    private HedgedCall(MonoSink<T> sink, Supplier<Mono<T>> hedge, LongSupplier graceNanos, Runnable onAnswer,
            Timers timers) {
        this.sink = sink;
        this.hedge = hedge;
        this.graceNanos = graceNanos;
        this.onAnswer = onAnswer;
        this.timers = timers;
    }

    /**
     * The first value of {@code first} and of the hedge.
     *
     * @param first the first call, subscribed at once
     * @param delay how long to wait before hedging
     * @param hedge the hedge, asked for once the delay has passed with the race still open; {@code null} when no
     *     hedge may be sent (then the first call races alone)
     * @param graceNanos asked when the answer is given: how long the loser may still run; zero or less cancels it at
     *     once
     * @param onAnswer run when the race is decided, before the answer is handed on (so that a branch still running
     *     starts no further attempt)
     * @param timers runs the delay and the grace
     */
    static <T> Mono<T> race(Mono<T> first, Duration delay, Supplier<Mono<T>> hedge, LongSupplier graceNanos,
            Runnable onAnswer, Timers timers) {
        return Mono.create(sink -> new HedgedCall<>(sink, hedge, graceNanos, onAnswer, timers).start(first, delay));
    }

    private void start(Mono<T> call, Duration hedgeDelay) {
        sink.onCancel(this::cancel);
        delay = timers.schedule(this::sendHedge, hedgeDelay.toNanos());
        first = subscribe(call, FIRST);
        if (cancelled) {
            // Disposing a branch that already gave its value does nothing.
            first.dispose();
        }
    }

    private Disposable subscribe(Mono<T> call, int branch) {
        return call.switchIfEmpty(Mono.error(() -> new NoSuchElementException("no answer")))
            .subscribe(value -> value(value, branch), error -> ended(error, branch));
    }

    private void sendHedge() {
        if (!hedgeState.compareAndSet(WAITING, SENT)) {
            return;
        }
        Mono<T> call;
        try {
            call = hedge.get();
        }
        catch (RuntimeException failed) {
            ended(failed, HEDGE);
            return;
        }
        if (call == null) {
            ended(new NoSuchElementException("no hedge"), HEDGE);
            return;
        }
        second = subscribe(call, HEDGE);
        if (cancelled) {
            second.dispose();
        }
    }

    private void value(T value, int branch) {
        if (!answered.compareAndSet(false, true)) {
            // The loser finished within its grace: its answer is dropped, its connection went back to the pool.
            loserEnded();
            return;
        }
        onAnswer.run();
        if (hedgeState.compareAndSet(WAITING, DROPPED)) {
            delay.dispose();
            open.decrementAndGet();
        }
        if (open.decrementAndGet() > 0) {
            long grace = graceNanos.getAsLong();
            if (grace <= 0) {
                cancelLoser(branch);
            }
            else {
                cutoff = timers.schedule(() -> cancelLoser(branch), grace);
            }
        }
        sink.success(value);
    }

    private void ended(Throwable error, int branch) {
        if (answered.get()) {
            loserEnded();
            return;
        }
        int left = open.decrementAndGet();
        if (branch == FIRST && hedgeState.compareAndSet(WAITING, DROPPED)) {
            delay.dispose();
            left = open.decrementAndGet();
        }
        if (left == 0 && answered.compareAndSet(false, true)) {
            sink.error(error);
        }
    }

    private void loserEnded() {
        open.decrementAndGet();
        Disposable grace = cutoff;
        if (grace != null) {
            grace.dispose();
        }
    }

    /** The grace has passed: the branch that did not win is cancelled, closing its connection. */
    private void cancelLoser(int winner) {
        cancelled = true;
        Disposable loser = winner == FIRST ? second : first;
        if (loser != null) {
            loser.dispose();
        }
    }

    private void cancel() {
        cancelled = true;
        for (Disposable each : new Disposable[] {delay, first, second, cutoff}) {
            if (each != null) {
                each.dispose();
            }
        }
    }
}
