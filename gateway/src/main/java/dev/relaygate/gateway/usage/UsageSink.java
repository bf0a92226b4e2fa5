package dev.relaygate.gateway.usage;

import reactor.core.publisher.Mono;

/**
 * Where usage batches go: the Redis stream {@code rg:usage} ({@link UsageStream}). {@link UsageRecorder} sends one
 * batch at a time and spools it when the send fails. Must not block.
 */
@FunctionalInterface
public interface UsageSink {

    /** Sends the batch {@code json} (id {@code batchId}); completes once it is stored, errors if not. */
    Mono<Void> send(String batchId, String json);
}
