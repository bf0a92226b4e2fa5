package dev.relaygate.gateway.upstream;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.relaygate.gateway.routing.UpstreamTier;

import static dev.relaygate.gateway.upstream.Upstreams.node;
import static org.assertj.core.api.Assertions.assertThat;

/** How the selector chooses an upstream: latency, weight, tier, breaker, lag, health, budget. */
class UpstreamSelectorTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    private final Random random = new Random(17);

    @Test
    void prefersTheUpstreamWithTheLowerLatencyAverage() {
        UpstreamNode slow = node("slow", nanos);
        UpstreamNode fast = node("fast", nanos);
        observe(slow, Duration.ofMillis(120));
        observe(fast, Duration.ofMillis(10));
        UpstreamSelector selector = selector(slow, fast);

        Map<String, Integer> chosen = choose(selector, 1000);

        assertThat(chosen).containsOnlyKeys("fast");
    }

    @Test
    void weighsTheLatencyByTheCallsInFlight() {
        UpstreamNode busy = node("busy", nanos);
        UpstreamNode idle = node("idle", nanos);
        observe(busy, Duration.ofMillis(10));
        observe(idle, Duration.ofMillis(30));
        for (int i = 0; i < 5; i++) {
            busy.started();
        }

        assertThat(choose(selector(busy, idle), 200)).containsOnlyKeys("idle");
    }

    @Test
    void sharesCallsInProportionToWeightsWhenLatenciesAreEqual() {
        UpstreamNode heavy = node("heavy", 3, UpstreamTier.PRIMARY, 0, nanos);
        UpstreamNode light = node("light", 1, UpstreamTier.PRIMARY, 0, nanos);

        Map<String, Integer> chosen = choose(selector(heavy, light), 4000);

        // Both are drawn (a different one second), the first drawn wins a tie: it is heavy 3 times in 4.
        assertThat(chosen.get("heavy")).isBetween(2700, 3300);
        assertThat(chosen.get("light")).isBetween(700, 1300);
    }

    @Test
    void sendsToTheFallbackTierOnlyWhenNoPrimaryIsUsable() {
        UpstreamNode primary = node("primary", 1, UpstreamTier.PRIMARY, 0, nanos);
        UpstreamNode fallback = node("fallback", 1, UpstreamTier.FALLBACK, 0, nanos);
        observe(primary, Duration.ofMillis(500));
        observe(fallback, Duration.ofMillis(1));
        UpstreamSelector selector = selector(primary, fallback);

        assertThat(choose(selector, 100)).containsOnlyKeys("primary");

        primary.breaker().ejectNow(nanos.get(), Duration.ZERO);

        assertThat(choose(selector, 100)).containsOnlyKeys("fallback");
    }

    @Test
    void ejectsAfterConsecutiveFailuresAndReadmitsAfterTheBackOff() {
        UpstreamNode flaky = node("flaky", nanos);
        UpstreamNode steady = node("steady", nanos);
        UpstreamSelector selector = selector(flaky, steady);
        for (int i = 0; i < 3; i++) {
            flaky.breaker().onFailure(nanos.get());
        }

        assertThat(choose(selector, 100)).containsOnlyKeys("steady");

        nanos.addAndGet(Duration.ofSeconds(1).toNanos());

        assertThat(choose(selector, 100)).containsKeys("flaky", "steady");
    }

    @Test
    void doublesTheBackOffWhileAnEjectedUpstreamKeepsFailingAndForgetsItAfterASuccess() {
        UpstreamBreaker breaker = new UpstreamBreaker(Upstreams.EJECTION);
        for (int i = 0; i < 3; i++) {
            breaker.onFailure(nanos.get());
        }
        assertThat(ejectedFor(breaker)).isEqualTo(Duration.ofSeconds(1));

        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        breaker.onFailure(nanos.get()); // half-open: one failure is enough
        assertThat(ejectedFor(breaker)).isEqualTo(Duration.ofSeconds(2));

        nanos.addAndGet(Duration.ofSeconds(2).toNanos());
        breaker.onFailure(nanos.get());
        assertThat(ejectedFor(breaker)).isEqualTo(Duration.ofSeconds(4));

        nanos.addAndGet(Duration.ofSeconds(4).toNanos());
        breaker.onSuccess();
        breaker.onFailure(nanos.get());
        breaker.onFailure(nanos.get());
        assertThat(breaker.open(nanos.get())).as("two failures after a success").isFalse();
        breaker.onFailure(nanos.get());
        assertThat(ejectedFor(breaker)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void ignoresFailuresOfCallsThatWereInFlightWhenItOpened() {
        UpstreamBreaker breaker = new UpstreamBreaker(Upstreams.EJECTION);
        for (int i = 0; i < 3; i++) {
            breaker.onFailure(nanos.get());
        }

        breaker.onFailure(nanos.get());
        breaker.onFailure(nanos.get());

        assertThat(ejectedFor(breaker)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void neverBacksOffLongerThanTheCeiling() {
        UpstreamBreaker breaker = new UpstreamBreaker(Upstreams.EJECTION);
        for (int i = 0; i < 3; i++) {
            breaker.onFailure(nanos.get());
        }
        Duration last = Duration.ZERO;
        for (int i = 0; i < 30; i++) {
            last = ejectedFor(breaker);
            nanos.addAndGet(last.toNanos());
            breaker.onFailure(nanos.get());
        }

        assertThat(last).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void aRateLimitEjectsAtOnceForItsRetryAfter() {
        UpstreamBreaker breaker = new UpstreamBreaker(Upstreams.EJECTION);

        breaker.ejectNow(nanos.get(), Duration.ofSeconds(7));

        assertThat(ejectedFor(breaker)).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void anUpstreamTooFarBehindTheBestHeadLeavesTheRotationUntilItCatchesUp() {
        UpstreamNode ahead = node("ahead", nanos);
        UpstreamNode behind = node("behind", nanos);
        ahead.head(1000);
        behind.head(994); // 6 behind, more than 5
        UpstreamSelector selector = selector(ahead, behind);

        assertThat(choose(selector, 100)).containsOnlyKeys("ahead");

        behind.head(995);

        assertThat(choose(selector, 100)).containsKeys("ahead", "behind");
    }

    @Test
    void anUpstreamWhoseHealthCheckFailedLeavesTheRotation() {
        UpstreamNode sick = node("sick", nanos);
        UpstreamNode well = node("well", nanos);
        sick.checkFailed(true);

        assertThat(choose(selector(sick, well), 100)).containsOnlyKeys("well");
    }

    @Test
    void aFailedCheckDoesNotSetTheBestHead() {
        UpstreamNode wild = node("wild", nanos);
        UpstreamNode well = node("well", nanos);
        wild.head(1_000_000);
        wild.checkFailed(true);
        well.head(10);

        assertThat(selector(wild, well).bestHead()).isEqualTo(10);
    }

    @Test
    void neverSendsARequestTwiceToTheSameUpstream() {
        UpstreamNode a = node("a", nanos);
        UpstreamNode b = node("b", nanos);
        UpstreamSelector selector = selector(a, b);

        assertThat(selector.select(Set.of(a), 1, 1, false)).isSameAs(b);
        assertThat(selector.select(Set.of(a, b), 1, 1, false)).isNull();
    }

    @Test
    void triesEjectedUpstreamsRatherThanNothingWhenNoneIsUsable() {
        UpstreamNode a = node("a", nanos);
        UpstreamNode b = node("b", nanos);
        a.breaker().ejectNow(nanos.get(), Duration.ZERO);
        b.checkFailed(true);

        assertThat(selector(a, b).select(Set.of(), 1, 1, false)).isIn(a, b);
    }

    @Test
    void aHedgeNeverGoesToAnUpstreamOutOfTheRotation() {
        UpstreamNode ahead = node("ahead", nanos);
        UpstreamNode behind = node("behind", nanos);
        ahead.head(1000);
        behind.head(900);

        assertThat(selector(ahead, behind).select(Set.of(ahead), 1, 1, false, false)).isNull();
        assertThat(selector(ahead, behind).select(Set.of(ahead), 1, 1, false, true)).isSameAs(behind);
    }

    @Test
    void neverSendsBeyondAnUpstreamsRequestBudget() {
        UpstreamNode budgeted = node("budgeted", 1, UpstreamTier.PRIMARY, 5, nanos);
        UpstreamNode spare = node("spare", 1, UpstreamTier.PRIMARY, 0, nanos);
        observe(budgeted, Duration.ofMillis(1));
        observe(spare, Duration.ofMillis(100));
        UpstreamSelector selector = selector(budgeted, spare);

        Map<String, Integer> chosen = choose(selector, 50);

        assertThat(chosen).containsEntry("budgeted", 5).containsEntry("spare", 45);

        nanos.addAndGet(Duration.ofMillis(400).toNanos());

        assertThat(choose(selector, 50)).containsEntry("budgeted", 2);
    }

    @Test
    void findsNoUpstreamWhenNoneHasBudget() {
        UpstreamNode only = node("only", 1, UpstreamTier.PRIMARY, 2, nanos);
        UpstreamSelector selector = selector(only);

        assertThat(selector.select(Set.of(), 1, 1, false)).isSameAs(only);
        assertThat(selector.select(Set.of(), 1, 1, false)).isSameAs(only);
        assertThat(selector.select(Set.of(), 1, 1, false)).isNull();
    }

    @Test
    void countsEveryCallOfABatchAgainstTheRequestBudget() {
        UpstreamNode only = node("only", 1, UpstreamTier.PRIMARY, 10, nanos);
        UpstreamSelector selector = selector(only);

        assertThat(selector.select(Set.of(), 8, 8, false)).isSameAs(only);
        assertThat(selector.select(Set.of(), 3, 3, false)).isNull();
        assertThat(selector.select(Set.of(), 2, 2, false)).isSameAs(only);
    }

    @Test
    void neverSendsBeyondAnUpstreamsComputeUnitBudget() {
        UpstreamBudget budget = new UpstreamBudget(0, 100, nanos::get);

        assertThat(budget.tryTake(1, 60)).isTrue();
        assertThat(budget.tryTake(1, 60)).isFalse();
        assertThat(budget.tryTake(1, 40)).isTrue();

        nanos.addAndGet(Duration.ofMillis(500).toNanos());

        assertThat(budget.tryTake(1, 50)).isTrue();
        assertThat(budget.tryTake(1, 1)).isFalse();
    }

    @Test
    void takesNeitherBudgetWhenOneIsShort() {
        UpstreamBudget budget = new UpstreamBudget(2, 10, nanos::get);

        assertThat(budget.tryTake(1, 20)).isFalse();
        assertThat(budget.tryTake(1, 5)).isTrue();
        assertThat(budget.tryTake(1, 5)).isTrue();
        assertThat(budget.tryTake(1, 0)).as("requests budget used up").isFalse();
    }

    private UpstreamSelector selector(UpstreamNode... nodes) {
        return new UpstreamSelector(List.of(nodes), 5, nanos::get, random);
    }

    private static Map<String, Integer> choose(UpstreamSelector selector, int times) {
        Map<String, Integer> chosen = new HashMap<>();
        for (int i = 0; i < times; i++) {
            UpstreamNode node = selector.select(Set.of(), 1, 1, false);
            if (node != null) {
                chosen.merge(node.name(), 1, Integer::sum);
            }
        }
        return chosen;
    }

    private static void observe(UpstreamNode node, Duration latency) {
        node.observe(latency.toNanos());
    }

    /** How long {@code breaker} stays open from now, to the millisecond, by probing the clock. */
    private Duration ejectedFor(UpstreamBreaker breaker) {
        long now = nanos.get();
        long low = 0;
        long high = Duration.ofHours(1).toMillis();
        if (!breaker.open(now)) {
            return Duration.ZERO;
        }
        while (low < high) {
            long mid = (low + high) / 2;
            if (breaker.open(now + Duration.ofMillis(mid).toNanos())) {
                low = mid + 1;
            }
            else {
                high = mid;
            }
        }
        return Duration.ofMillis(low);
    }
}
