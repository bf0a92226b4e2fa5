package dev.relaygate.controlplane.propagation;

import reactor.core.publisher.Flux;

/** Snapshots that must be in Redis as soon as the control plane starts (the live plans). */
public interface StartupSnapshots {

    Flux<PendingSnapshot> all();
}
