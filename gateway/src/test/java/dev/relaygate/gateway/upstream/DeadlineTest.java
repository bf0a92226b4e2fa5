package dev.relaygate.gateway.upstream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.scheduler.VirtualTimeScheduler;

import dev.relaygate.gateway.io.Timers;

import static org.assertj.core.api.Assertions.assertThat;

/** A call cut off at its deadline, on virtual time. */
class DeadlineTest {

    private static final Duration LIMIT = Duration.ofMillis(500);

    private final VirtualTimeScheduler time = VirtualTimeScheduler.create();

    private final Sinks.One<String> call = Sinks.one();

    private final List<Object> signals = new ArrayList<>();

    private boolean cancelled;

    private Disposable subscribe() {
        return Deadline.within(call.asMono().doOnCancel(() -> cancelled = true), LIMIT.toNanos(), Timers.on(time))
            .subscribe(signals::add, signals::add, () -> signals.add("complete"));
    }

    @Test
    void anAnswerInTimeIsHandedOnAndTheTimerCancelled() {
        subscribe();
        time.advanceTimeBy(LIMIT.minusMillis(1));

        call.tryEmitValue("answer");
        time.advanceTimeBy(LIMIT);

        // No TimeoutException after the answer: the timer was cancelled.
        assertThat(signals).containsExactly("answer", "complete");
        assertThat(cancelled).isFalse();
    }

    @Test
    void anErrorInTimeIsHandedOn() {
        subscribe();

        IllegalStateException failure = new IllegalStateException("upstream failed");
        call.tryEmitError(failure);
        time.advanceTimeBy(LIMIT);

        assertThat(signals).containsExactly(failure);
    }

    @Test
    void anEmptyCallCompletes() {
        subscribe();

        call.tryEmitEmpty();

        assertThat(signals).containsExactly("complete");
    }

    @Test
    void atTheDeadlineTheCallIsCancelledAndATimeoutSignalled() {
        subscribe();
        time.advanceTimeBy(LIMIT.minusMillis(1));
        assertThat(signals).isEmpty();

        time.advanceTimeBy(Duration.ofMillis(1));
        call.tryEmitValue("too late");

        assertThat(signals).singleElement().isInstanceOf(TimeoutException.class);
        assertThat(cancelled).isTrue();
    }

    @Test
    void cancellingCancelsTheCallAndTheTimer() {
        Disposable deadline = subscribe();

        deadline.dispose();
        time.advanceTimeBy(LIMIT.multipliedBy(2));

        assertThat(cancelled).isTrue();
        assertThat(signals).isEmpty();
    }

    @Test
    void aCallThatAnswersAtOnceIsHandedOn() {
        List<String> answers = new ArrayList<>();
        Deadline.within(Mono.just("at once"), LIMIT.toNanos(), Timers.on(time)).subscribe(answers::add);

        assertThat(answers).containsExactly("at once");
    }
}
