package dev.relaygate.controlplane.usage;

import java.util.Set;
import java.util.UUID;

import reactor.core.publisher.Mono;

/**
 * Told by {@link UsageStreamConsumer} after a batch was counted (its transaction committed), with the organizations
 * it touched, before the entry is acknowledged. A listener's failure is logged and changes nothing for the usage
 * pipeline: counting never waits on what reacts to it. A listener therefore decides from state (the aggregates),
 * not from the batch, so a later batch makes up for a reaction that failed.
 */
public interface UsageListener {

    Mono<Void> counted(Set<UUID> organizationIds);
}
