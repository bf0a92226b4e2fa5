package dev.relaygate.gateway.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * The period counters of one organization on this instance: its monthly quota and the daily and monthly caps of
 * those of its keys that carry one. Admission is decided here from what this instance knows (no Redis); the
 * organization bucket's sync script carries every pending count to Redis and brings the totals back, so quotas
 * cost no round trip of their own (docs/usage-and-quotas.md, "Quotas").
 */
final class QuotaTally {

    private final PeriodCounter monthly;

    private final ConcurrentHashMap<String, KeyCounters> keys = new ConcurrentHashMap<>(2);

    /** Counters of ended periods still holding units not yet sent; the next sync sends them. */
    private final Queue<QuotaCounter> retired = new ConcurrentLinkedQueue<>();

    /** Names the keys' counters too: they carry the organization's hash tag ({@link RateLimitKeys}). */
    private final String organizationId;

    QuotaTally(String organizationId) {
        this.organizationId = organizationId;
        this.monthly = new PeriodCounter(QuotaPeriods::month,
                period -> RateLimitKeys.organizationQuota(organizationId, period));
    }

    /**
     * The refusal for a request of {@code cost} at {@code nowMillis}, or null when every quota that applies still
     * has room for it. Allocates only when it refuses.
     */
    RateLimitDecision refusal(long monthlyLimit, KeyCaps caps, long cost, long nowMillis) {
        if (monthlyLimit > 0) {
            QuotaCounter organization = organizationMonthly(nowMillis);
            if (organization.over(monthlyLimit, cost)) {
                return refused(RateLimitDecision.Limit.ORGANIZATION_MONTHLY, organization, monthlyLimit, nowMillis);
            }
        }
        if (caps.hasCounters()) {
            KeyCounters key = key(caps.keyId());
            if (caps.dailyComputeUnits() > 0) {
                QuotaCounter daily = key.daily(nowMillis);
                if (daily.over(caps.dailyComputeUnits(), cost)) {
                    return refused(RateLimitDecision.Limit.KEY_DAILY, daily, caps.dailyComputeUnits(), nowMillis);
                }
            }
            if (caps.monthlyComputeUnits() > 0) {
                QuotaCounter monthlyCap = key.monthly(nowMillis);
                if (monthlyCap.over(caps.monthlyComputeUnits(), cost)) {
                    return refused(RateLimitDecision.Limit.KEY_MONTHLY, monthlyCap, caps.monthlyComputeUnits(),
                        nowMillis);
                }
            }
        }
        return null;
    }

    /** Counts an admitted request; answers the organization's quota state for the headers. */
    RateLimitDecision.QuotaState admit(long monthlyLimit, KeyCaps caps, long cost, long nowMillis) {
        if (caps.hasCounters()) {
            KeyCounters key = key(caps.keyId());
            if (caps.dailyComputeUnits() > 0) {
                key.daily(nowMillis).add(cost);
            }
            if (caps.monthlyComputeUnits() > 0) {
                key.monthly(nowMillis).add(cost);
            }
        }
        if (monthlyLimit <= 0) {
            return RateLimitDecision.QuotaState.NONE;
        }
        QuotaCounter organization = organizationMonthly(nowMillis);
        organization.add(cost);
        return organization.state(monthlyLimit, nowMillis);
    }

    /** The organization's quota state without counting anything (for a refusal by a bucket). */
    RateLimitDecision.QuotaState state(long monthlyLimit, long nowMillis) {
        return monthlyLimit <= 0 ? RateLimitDecision.QuotaState.NONE
            : organizationMonthly(nowMillis).state(monthlyLimit, nowMillis);
    }

    /**
     * The counters one sync carries: the organization's monthly counter (always, to bring back the others'
     * spending), each key counter with pending units or never synced, and ended periods' leftovers. Null when
     * there is none.
     */
    Carried take() {
        List<QuotaCounter> counters = new ArrayList<>(2);
        QuotaCounter organization = monthly.counter;
        if (organization != null) {
            counters.add(organization);
        }
        for (KeyCounters key : keys.values()) {
            key.collect(counters);
        }
        for (QuotaCounter old; (old = retired.poll()) != null; ) {
            counters.add(old);
        }
        if (counters.isEmpty()) {
            return null;
        }
        long[] taken = new long[counters.size()];
        for (int i = 0; i < taken.length; i++) {
            taken[i] = counters.get(i).take();
        }
        return new Carried(counters, taken);
    }

    /** Whether this tally holds units Redis has not seen (checked when it is dropped from memory). */
    boolean hasPending() {
        QuotaCounter organization = monthly.counter;
        if (organization != null && organization.hasPending()) {
            return true;
        }
        for (KeyCounters key : keys.values()) {
            if (key.hasPending()) {
                return true;
            }
        }
        return !retired.isEmpty();
    }

    private QuotaCounter organizationMonthly(long nowMillis) {
        return monthly.current(nowMillis);
    }

    private KeyCounters key(String keyId) {
        KeyCounters key = keys.get(keyId);
        return key != null ? key : keys.computeIfAbsent(keyId, KeyCounters::new);
    }

    private void retire(QuotaCounter old) {
        if (old != null && old.hasPending()) {
            retired.add(old);
        }
    }

    private static RateLimitDecision refused(RateLimitDecision.Limit limit, QuotaCounter counter, long allowance,
            long nowMillis) {
        RateLimitDecision.QuotaState state = counter.state(allowance, nowMillis);
        Duration retryAfter = Duration.ofMillis(Math.max(1, counter.period.endMillis() - nowMillis));
        return new RateLimitDecision(false, allowance, Math.max(0, allowance - state.used()), state.resetSeconds(),
            retryAfter, limit, state);
    }

    /**
     * The counter of the current period of one quota: replaced by a new one (its Redis key named after the period)
     * when the period ends, the old one retired so that its pending units still travel with the next sync.
     */
    private final class PeriodCounter {

        private final LongFunction<QuotaPeriods.Period> periodAt;

        private final Function<String, String> redisKey;

        volatile QuotaCounter counter;

        PeriodCounter(LongFunction<QuotaPeriods.Period> periodAt, Function<String, String> redisKey) {
            this.periodAt = periodAt;
            this.redisKey = redisKey;
        }

        QuotaCounter current(long nowMillis) {
            QuotaCounter current = counter;
            if (!QuotaCounter.current(current, nowMillis)) {
                synchronized (this) {
                    current = counter;
                    if (!QuotaCounter.current(current, nowMillis)) {
                        QuotaPeriods.Period period = periodAt.apply(nowMillis);
                        retire(current);
                        current = new QuotaCounter(redisKey.apply(period.id()), period);
                        counter = current;
                    }
                }
            }
            return current;
        }
    }

    /** The daily and monthly counters of one capped key. */
    private final class KeyCounters {

        private final PeriodCounter daily;

        private final PeriodCounter monthly;

        KeyCounters(String keyId) {
            this.daily = new PeriodCounter(QuotaPeriods::day,
                    period -> RateLimitKeys.keyDailyQuota(organizationId, keyId, period));
            this.monthly = new PeriodCounter(QuotaPeriods::month,
                    period -> RateLimitKeys.keyMonthlyQuota(organizationId, keyId, period));
        }

        QuotaCounter daily(long nowMillis) {
            return daily.current(nowMillis);
        }

        QuotaCounter monthly(long nowMillis) {
            return monthly.current(nowMillis);
        }

        void collect(List<QuotaCounter> counters) {
            for (QuotaCounter counter : new QuotaCounter[] {daily.counter, monthly.counter}) {
                if (counter != null && (counter.hasPending() || !counter.synced())) {
                    counters.add(counter);
                }
            }
        }

        boolean hasPending() {
            QuotaCounter d = daily.counter;
            QuotaCounter m = monthly.counter;
            return d != null && d.hasPending() || m != null && m.hasPending();
        }
    }

    /** The counters of one sync and the units taken from each. */
    record Carried(List<QuotaCounter> counters, long[] taken) {

        void settle(List<Object> totals) {
            for (int i = 0; i < taken.length; i++) {
                counters.get(i).settle(taken[i], (Long) totals.get(i));
            }
        }

        void giveBack() {
            for (int i = 0; i < taken.length; i++) {
                counters.get(i).giveBack(taken[i]);
            }
        }

        void keepLocally() {
            for (int i = 0; i < taken.length; i++) {
                counters.get(i).keepLocally(taken[i]);
            }
        }
    }
}
