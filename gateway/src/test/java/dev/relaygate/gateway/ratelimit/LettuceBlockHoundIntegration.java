package dev.relaygate.gateway.ratelimit;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Tells BlockHound about Lettuce's short in-memory locks, each held for a few field updates and never across I/O;
 * a Lettuce event loop that meets one held by another thread parks for that long. That is lock hand-off, the same
 * kind of allowance Netty declares for its own short locks. The methods are named as Lettuce 6.8 compiles them.
 * <ul>
 * <li>{@code SharedLock} guards a connection's writer count with a {@code ReentrantLock}: {@code DefaultEndpoint.write}
 * takes it around the count update (a Reactor thread issuing a command while the event loop issues the next one of a
 * bucket4j compare-and-swap), and a connection becoming active or inactive holds it while it flushes or cancels the
 * commands buffered meanwhile ({@code doExclusive}: writes to the channel, no waiting).</li>
 * <li>On a Redis Cluster, the connection provider's state lock guards its node-connection cache and settings: a node
 * connection that finishes its handshake is set up under it on the event loop ({@code NodeConnectionPostProcessor}),
 * a finished connect stores itself in the cache under it ({@code getWriteConnection}, {@code getReadConnection}), and
 * a topology refresh swaps the partitions under it; a test thread opening another node connection holds it as
 * briefly. Seen in CI in QuotaLimiterOnClusterIT: once as a {@code BlockingOperationError}, once as a node
 * connection's handshake that never completed ({@code Connection initialization timed out}).</li>
 * </ul>
 * Registered in {@code META-INF/services/reactor.blockhound.integration.BlockHoundIntegration}.
 */
public final class LettuceBlockHoundIntegration implements BlockHoundIntegration {

    private static final String SHARED_LOCK = "io.lettuce.core.protocol.SharedLock";

    private static final String CLUSTER_PROVIDER = "io.lettuce.core.cluster.PooledClusterConnectionProvider";

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.allowBlockingCallsInside(SHARED_LOCK, "incrementWriters");
        builder.allowBlockingCallsInside(SHARED_LOCK, "decrementWriters");
        builder.allowBlockingCallsInside(SHARED_LOCK, "doExclusive");
        builder.allowBlockingCallsInside(CLUSTER_PROVIDER + "$NodeConnectionPostProcessor", "lambda$apply$4");
        for (String method : new String[] { "lambda$getWriteConnection$0", "lambda$getReadConnection$4",
            "getReadConnection", "resetFastConnectionCache", "setPartitions", "setAutoFlushCommands", "setReadFrom" }) {
            builder.allowBlockingCallsInside(CLUSTER_PROVIDER, method);
        }
    }
}
