package dev.relaygate.gateway.testsupport;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Tells BlockHound about what Netty 4.2 does on a non-blocking thread without waiting on I/O, beyond Netty's own
 * integration. Registered in {@code META-INF/services/reactor.blockhound.integration.BlockHoundIntegration}.
 * <ul>
 * <li>The default buffer allocator, when threads collide on a magazine, grows its magazine array and frees the old
 * magazines, each under that magazine's allocation lock ({@code StampedLock}), which another event loop may hold for
 * the length of one allocation: lock hand-off. Unlisted, BlockHound failed the read of whichever connection was
 * being decoded at that instant (seen in WebSocketLimitsIT: a test client's socket got a corrupted frame and stopped
 * receiving).</li>
 * <li>The native transport's library is unpacked and loaded once per JVM, by the first thread that touches it: in a
 * test JVM that may be a Reactor thread opening the first client connection (seen in ArchiveAndLagTest).</li>
 * </ul>
 */
public final class NettyBlockHoundIntegration implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines");
        builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free");
        builder.allowBlockingCallsInside("io.netty.util.internal.NativeLibraryLoader", "load");
    }
}
