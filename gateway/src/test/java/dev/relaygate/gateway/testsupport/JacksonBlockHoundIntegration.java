package dev.relaygate.gateway.testsupport;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Tells BlockHound about Jackson's one lock on a mapper's read path: the first read of a type builds its deserializer
 * under the deserializer cache's lock, once per mapper and type; two event loops reading the same new type at the
 * same instant wait for each other that once (seen in ArchiveAndLagTest, two upstreams' health checks reading their
 * first answers). Every later read finds the deserializer in the cache without the lock. Registered in
 * {@code META-INF/services/reactor.blockhound.integration.BlockHoundIntegration}.
 */
public final class JacksonBlockHoundIntegration implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.allowBlockingCallsInside("tools.jackson.databind.deser.DeserializerCache",
                "_createAndCacheValueDeserializer");
    }
}
