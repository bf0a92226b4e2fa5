package dev.relaygate.controlplane.org;

import java.time.Instant;
import java.util.UUID;

import dev.relaygate.controlplane.member.Role;

/** An organization as the API shows it, with the caller's role in it. */
public record OrganizationView(UUID id, String name, UUID planId, Instant createdAt, Instant updatedAt,
        Role role) {

    public static OrganizationView of(Organization org, Role role) {
        return new OrganizationView(org.id(), org.name(), org.planId(), org.createdAt(), org.updatedAt(), role);
    }
}
