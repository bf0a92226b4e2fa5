package dev.relaygate.controlplane.org;

import java.time.Instant;
import java.util.UUID;

/** An organization (tenant) as stored. */
public record Organization(UUID id, String name, UUID planId, Instant createdAt, Instant updatedAt, long version) {
}
