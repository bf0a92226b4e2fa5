package dev.relaygate.gateway.usage;

import java.util.List;

import reactor.core.publisher.Mono;

/**
 * Where usage records go once they are off the request path: the seam for the usage pipeline (a later issue).
 * {@link UsageRecorder} hands it batches one at a time, never concurrently, and bounds each write with a
 * timeout. Must not block: a sink that needs a blocking library moves the work to a bounded scheduler of its own.
 */
@FunctionalInterface
public interface UsageSink {

    /** Stores {@code records} (in the order they were recorded); completes when they are safe, errors if not. */
    Mono<Void> write(List<UsageRecord> records);
}
