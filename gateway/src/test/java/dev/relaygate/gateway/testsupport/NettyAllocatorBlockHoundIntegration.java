package dev.relaygate.gateway.testsupport;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Tells BlockHound about a short lock of Netty 4.2's default buffer allocator that Netty's own integration does not
 * list: when threads collide on a magazine, the allocator grows its magazine array and frees the old magazines, each
 * under that magazine's allocation lock ({@code StampedLock}), which another event loop may hold for the length of
 * one allocation. A loop that meets it parks for that long: lock hand-off, not I/O.
 * <p>
 * Unlisted, BlockHound failed the read of whichever connection was being decoded at that instant (seen in
 * WebSocketLimitsIT: a test client's socket got a corrupted frame and stopped receiving). Registered in
 * {@code META-INF/services/reactor.blockhound.integration.BlockHoundIntegration}.
 */
public final class NettyAllocatorBlockHoundIntegration implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines");
        builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free");
    }
}
