package dev.relaygate.controlplane.propagation;

import java.util.List;

/**
 * The result of a change plus the snapshots it must publish once committed (none for a replayed answer).
 */
public record Publication<T>(T value, List<PendingSnapshot> snapshots) {

    public Publication {
        snapshots = List.copyOf(snapshots);
    }

    public static <T> Publication<T> of(T value, List<PendingSnapshot> snapshots) {
        return new Publication<>(value, snapshots);
    }

    public static <T> Publication<T> quiet(T value) {
        return new Publication<>(value, List.of());
    }
}
