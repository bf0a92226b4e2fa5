package dev.relaygate.gateway.ratelimit;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Tells BlockHound about Lettuce's one lock on the command path. Lettuce 6.8's {@code SharedLock} guards a
 * counter update in {@code DefaultEndpoint.write} with a {@code ReentrantLock}; when two threads write to one
 * connection at the same instant (a Reactor thread issuing a command while the Lettuce event loop issues the
 * next command of a bucket4j compare-and-swap), the loser parks for the few nanoseconds of that update. That is
 * lock hand-off, not I/O, and the same kind of allowance Netty declares for its own short locks.
 * <p>
 * On a Redis Cluster, a node connection that finishes its handshake is set up (auto-flush, push listener) on the
 * Lettuce event loop under the cluster connection provider's state lock ({@code NodeConnectionPostProcessor}'s
 * callback, a lambda, named as Lettuce 6.8 compiles it); a test thread opening another node connection at that
 * instant holds the same lock for as long, so the loop may park for it (seen once in CI, QuotaLimiterOnClusterIT).
 * Registered in {@code META-INF/services/reactor.blockhound.integration.BlockHoundIntegration}.
 */
public final class LettuceBlockHoundIntegration implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "incrementWriters");
        builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "decrementWriters");
        builder.allowBlockingCallsInside(
                "io.lettuce.core.cluster.PooledClusterConnectionProvider$NodeConnectionPostProcessor", "lambda$apply$4");
    }
}
