package dev.relaygate.controlplane.member;

import java.time.Instant;
import java.util.UUID;

/**
 * A membership: a subject's role in an organization, or an invitation to an e-mail address that has not been
 * claimed yet ({@code subject} null).
 */
public record Member(UUID id, UUID organizationId, String subject, String invitedEmail, Role role, String createdBy,
        Instant createdAt, Instant updatedAt) {
}
