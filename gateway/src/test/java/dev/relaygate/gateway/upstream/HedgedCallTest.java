package dev.relaygate.gateway.upstream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.scheduler.VirtualTimeScheduler;

import dev.relaygate.gateway.io.Timers;

import static org.assertj.core.api.Assertions.assertThat;

/** The race of a call and its hedge, on virtual time: who answers, who is cancelled, and when. */
class HedgedCallTest {

    private static final Duration DELAY = Duration.ofMillis(100);

    private static final Duration GRACE = Duration.ofSeconds(2);

    private final VirtualTimeScheduler time = VirtualTimeScheduler.create();

    private final Branch first = new Branch();

    private final Branch hedge = new Branch();

    private final AtomicInteger hedgesAsked = new AtomicInteger();

    private final AtomicBoolean decided = new AtomicBoolean();

    private final List<String> answers = new ArrayList<>();

    private final List<Throwable> errors = new ArrayList<>();

    @Test
    void answersWithTheHedgeAtOnceAndLetsTheLoserRunUntilItsGraceEnds() {
        subscribe(GRACE);
        time.advanceTimeBy(DELAY);

        hedge.answer("hedge");

        assertThat(answers).containsExactly("hedge");
        assertThat(decided).isTrue();
        time.advanceTimeBy(GRACE.minusMillis(1));
        assertThat(first.cancelled).isFalse();
        time.advanceTimeBy(Duration.ofMillis(1));
        assertThat(first.cancelled).isTrue();
    }

    @Test
    void discardsALoserThatAnswersWithinItsGrace() {
        subscribe(GRACE);
        time.advanceTimeBy(DELAY);
        hedge.answer("hedge");

        first.answer("first");
        time.advanceTimeBy(GRACE.multipliedBy(2));

        assertThat(answers).containsExactly("hedge");
        assertThat(first.cancelled).isFalse();
    }

    @Test
    void letsTheHedgeRunForItsGraceWhenTheFirstCallWins() {
        subscribe(GRACE);
        time.advanceTimeBy(DELAY);

        first.answer("first");

        assertThat(answers).containsExactly("first");
        time.advanceTimeBy(GRACE.minusMillis(1));
        assertThat(hedge.cancelled).isFalse();
        time.advanceTimeBy(Duration.ofMillis(1));
        assertThat(hedge.cancelled).isTrue();
    }

    @Test
    void cancelsTheLoserAtOnceWithoutAGrace() {
        subscribe(Duration.ZERO);
        time.advanceTimeBy(DELAY);

        hedge.answer("hedge");

        assertThat(first.cancelled).isTrue();
    }

    @Test
    void sendsNoHedgeWhenTheFirstCallAnswersBeforeTheDelay() {
        subscribe(GRACE);
        time.advanceTimeBy(DELAY.dividedBy(2));

        first.answer("first");
        time.advanceTimeBy(DELAY.multipliedBy(10));

        assertThat(answers).containsExactly("first");
        assertThat(hedgesAsked).hasValue(0);
    }

    @Test
    void aFirstCallThatFailsBeforeTheDelayEndsTheRaceWithoutAHedge() {
        subscribe(GRACE);

        first.fail();
        time.advanceTimeBy(DELAY.multipliedBy(10));

        assertThat(errors).hasSize(1);
        assertThat(answers).isEmpty();
        assertThat(hedgesAsked).hasValue(0);
    }

    @Test
    void waitsForTheOtherCallWhenOneFailsAfterTheHedgeWasSent() {
        subscribe(GRACE);
        time.advanceTimeBy(DELAY);

        first.fail();
        assertThat(errors).isEmpty();
        hedge.answer("hedge");

        assertThat(answers).containsExactly("hedge");
    }

    @Test
    void failsWhenTheCallAndItsHedgeBothFail() {
        subscribe(GRACE);
        time.advanceTimeBy(DELAY);

        hedge.fail();
        first.fail();

        assertThat(errors).hasSize(1);
    }

    @Test
    void theFirstCallRacesAloneWhenNoHedgeMayBeSent() {
        Disposable race = HedgedCall.race(first.mono(), DELAY, () -> {
            hedgesAsked.incrementAndGet();
            return null;
        }, GRACE::toNanos, () -> decided.set(true), Timers.on(time)).subscribe(answers::add, errors::add);
        time.advanceTimeBy(DELAY);

        first.answer("first");

        assertThat(hedgesAsked).hasValue(1);
        assertThat(answers).containsExactly("first");
        assertThat(race.isDisposed()).isTrue();
    }

    @Test
    void cancellingTheAnswerCancelsBothCalls() {
        Disposable race = subscribe(GRACE);
        time.advanceTimeBy(DELAY);

        race.dispose();

        assertThat(first.cancelled).isTrue();
        assertThat(hedge.cancelled).isTrue();
    }

    @Test
    void cancellingBeforeTheDelaySendsNoHedge() {
        Disposable race = subscribe(GRACE);

        race.dispose();
        time.advanceTimeBy(DELAY.multipliedBy(10));

        assertThat(first.cancelled).isTrue();
        assertThat(hedgesAsked).hasValue(0);
    }

    private Disposable subscribe(Duration grace) {
        return HedgedCall.race(first.mono(), DELAY, () -> {
            hedgesAsked.incrementAndGet();
            return hedge.mono();
        }, grace::toNanos, () -> decided.set(true), Timers.on(time)).subscribe(answers::add, errors::add);
    }

    /** One call of the race, answered or failed by the test; knows whether it was cancelled. */
    private static final class Branch {

        private final Sinks.One<String> sink = Sinks.one();

        volatile boolean cancelled;

        Mono<String> mono() {
            return sink.asMono().doOnCancel(() -> cancelled = true);
        }

        void answer(String value) {
            sink.tryEmitValue(value).orThrow();
        }

        void fail() {
            sink.tryEmitError(new IllegalStateException("failed")).orThrow();
        }
    }
}
