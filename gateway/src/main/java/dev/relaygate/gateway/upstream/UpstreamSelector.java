package dev.relaygate.gateway.upstream;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

import dev.relaygate.gateway.routing.UpstreamTier;

/**
 * Chooses the upstream of a chain for one attempt. Decides only; knows nothing of HTTP.
 * <ol>
 * <li>Usable upstreams: breaker closed or half-open, last health check passed, head at most {@code maxBlocksBehind}
 * behind the best head any healthy upstream reports, not yet tried by this request.</li>
 * <li>Within the highest tier that has a usable upstream (primary, then fallback), and among archive upstreams
 * first when the call needs old state: power of two choices, the two drawn at random in proportion to their
 * weights, the one with the lower {@link UpstreamNode#score()} (latency EWMA × calls in flight ÷ weight) wins.</li>
 * <li>The winner must have budget for the call; if not, it is struck off and the choice is made again.</li>
 * <li>When no upstream is usable, every untried upstream with budget is a candidate, tier by tier ("panic mode"): a
 * gateway that tries a doubtful node answers more often than one that answers nothing.</li>
 * </ol>
 */
final class UpstreamSelector {

    private final List<UpstreamNode> nodes;

    private final long maxBlocksBehind;

    private final LongSupplier nanoTime;

    private final RandomGenerator random;

    UpstreamSelector(List<UpstreamNode> nodes, long maxBlocksBehind, LongSupplier nanoTime, RandomGenerator random) {
        this.nodes = List.copyOf(nodes);
        this.maxBlocksBehind = maxBlocksBehind;
        this.nanoTime = nanoTime;
        this.random = random;
    }

    List<UpstreamNode> nodes() {
        return nodes;
    }

    /** The highest head reported by an upstream whose last check passed, or -1 when none has reported. */
    long bestHead() {
        long best = -1;
        for (UpstreamNode node : nodes) {
            if (!node.checkFailed()) {
                best = Math.max(best, node.head());
            }
        }
        return best;
    }

    /** Whether {@code node} is in the rotation now (ignoring budget and what a request has tried). */
    boolean usable(UpstreamNode node, long bestHead, long nowNanos) {
        return !node.breaker().open(nowNanos) && !node.checkFailed() && !lagging(node, bestHead);
    }

    private boolean lagging(UpstreamNode node, long bestHead) {
        return node.head() >= 0 && bestHead - node.head() > maxBlocksBehind;
    }

    /**
     * The upstream for the next attempt, its budget taken; {@code null} when none is left.
     *
     * @param tried upstreams this request has already been sent to
     * @param calls calls in the request (the request budget)
     * @param units compute units of the request (the compute-unit budget)
     * @param needsArchive the request reads state older than non-archive nodes keep
     */
    UpstreamNode select(Set<UpstreamNode> tried, long calls, long units, boolean needsArchive) {
        return select(tried, calls, units, needsArchive, true);
    }

    /**
     * As {@link #select(Set, long, long, boolean)}; without {@code panic}, only usable upstreams: a hedge is optional,
     * and one sent to a lagging node could win with a stale answer.
     */
    UpstreamNode select(Set<UpstreamNode> tried, long calls, long units, boolean needsArchive, boolean panic) {
        long now = nanoTime.getAsLong();
        long bestHead = bestHead();
        List<UpstreamNode> usable = new ArrayList<>(nodes.size());
        for (UpstreamNode node : nodes) {
            if (!tried.contains(node) && usable(node, bestHead, now)) {
                usable.add(node);
            }
        }
        UpstreamNode chosen = null;
        if (needsArchive) {
            chosen = byTier(new ArrayList<>(usable.stream().filter(UpstreamNode::archive).toList()), calls, units);
        }
        if (chosen == null) {
            chosen = byTier(usable, calls, units);
        }
        if (chosen == null && panic) {
            List<UpstreamNode> untried = new ArrayList<>(nodes.size());
            for (UpstreamNode node : nodes) {
                if (!tried.contains(node) && !usable.contains(node)) {
                    untried.add(node);
                }
            }
            chosen = byTier(untried, calls, units);
        }
        return chosen;
    }

    private UpstreamNode byTier(List<UpstreamNode> candidates, long calls, long units) {
        for (UpstreamTier tier : UpstreamTier.values()) {
            List<UpstreamNode> inTier = new ArrayList<>(candidates.size());
            for (UpstreamNode node : candidates) {
                if (node.tier() == tier) {
                    inTier.add(node);
                }
            }
            UpstreamNode chosen = withBudget(inTier, calls, units);
            if (chosen != null) {
                return chosen;
            }
        }
        return null;
    }

    /** Power of two choices among {@code candidates} (modified), until one has budget. */
    private UpstreamNode withBudget(List<UpstreamNode> candidates, long calls, long units) {
        while (!candidates.isEmpty()) {
            UpstreamNode chosen = twoChoices(candidates);
            if (chosen.budget().tryTake(calls, units)) {
                return chosen;
            }
            candidates.remove(chosen);
        }
        return null;
    }

    private UpstreamNode twoChoices(List<UpstreamNode> candidates) {
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        UpstreamNode first = drawByWeight(candidates, null);
        UpstreamNode second = drawByWeight(candidates, first);
        return second.score() < first.score() ? second : first;
    }

    private UpstreamNode drawByWeight(List<UpstreamNode> candidates, UpstreamNode except) {
        int total = 0;
        for (UpstreamNode node : candidates) {
            total += node == except ? 0 : node.weight();
        }
        int draw = random.nextInt(total);
        for (UpstreamNode node : candidates) {
            if (node == except) {
                continue;
            }
            draw -= node.weight();
            if (draw < 0) {
                return node;
            }
        }
        throw new IllegalStateException("unreachable");
    }
}
