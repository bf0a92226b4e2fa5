package dev.relaygate.gateway.ratelimit;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One period counter ({@code rg:q:…}, see {@link RateLimitKeys}) as this instance sees it: the total Redis
 * answered at the last sync, the units this instance admitted since (pending), and the units of a sync still in
 * flight. Admission reads {@link #used()}; the bucket's sync script carries the pending units to Redis and brings
 * the new total back ({@link OneTripProxyManager}).
 */
final class QuotaCounter {

    final String name;

    final QuotaPeriods.Period period;

    private final AtomicLong pending = new AtomicLong();

    private final AtomicLong inFlight = new AtomicLong();

    private volatile long known;

    private volatile boolean synced;

    QuotaCounter(String name, QuotaPeriods.Period period) {
        this.name = name;
        this.period = period;
    }

    /** Units of the period as far as this instance knows: Redis's last total plus its own units since. */
    long used() {
        return known + inFlight.get() + pending.get();
    }

    boolean synced() {
        return synced;
    }

    boolean hasPending() {
        return pending.get() > 0;
    }

    void add(long units) {
        pending.addAndGet(units);
    }

    /** Takes the pending units for a sync; they count as in flight until {@link #settle} or {@link #giveBack}. */
    long take() {
        long taken = pending.getAndSet(0);
        inFlight.addAndGet(taken);
        return taken;
    }

    /** Redis answered {@code total}, which includes the {@code taken} units. */
    synchronized void settle(long taken, long total) {
        // Raise the total before releasing the in-flight units: used() may briefly count them twice, never zero times.
        known = Math.max(known, total);
        synced = true;
        inFlight.addAndGet(-taken);
    }

    /** The sync failed: the units go back to pending, for the next one. */
    void giveBack(long taken) {
        pending.addAndGet(taken);
        inFlight.addAndGet(-taken);
    }

    /** Whether a request of {@code cost} would take the period past {@code limit}. */
    /** A sync of unknown outcome (timed out): the units stay counted in this instance's total, not re-sent. */
    synchronized void keepLocally(long taken) {
        known = known + taken;
        inFlight.addAndGet(-taken);
    }

    boolean over(long limit, long cost) {
        return used() + cost > limit;
    }

    /** Whether {@code nowMillis} falls in this counter's period (else it is replaced by the current period's). */
    static boolean current(QuotaCounter counter, long nowMillis) {
        return counter != null && nowMillis >= counter.period.startMillis() && nowMillis < counter.period.endMillis();
    }

    RateLimitDecision.QuotaState state(long limit, long nowMillis) {
        return new RateLimitDecision.QuotaState(used(), limit, period.endMillis(),
            RateLimitDecision.ceilSeconds((period.endMillis() - nowMillis) * 1_000_000L));
    }
}
