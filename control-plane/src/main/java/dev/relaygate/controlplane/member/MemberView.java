package dev.relaygate.controlplane.member;

import java.time.Instant;
import java.util.UUID;

/**
 * A membership as the API shows it.
 *
 * @param status {@code active}, or {@code invited} while an e-mail invitation is unclaimed
 */
public record MemberView(UUID id, UUID organizationId, String subject, String email, Role role, String status,
        Instant createdAt, Instant updatedAt) {

    public static MemberView of(Member member) {
        return new MemberView(member.id(), member.organizationId(), member.subject(), member.invitedEmail(),
                member.role(), member.subject() == null ? "invited" : "active", member.createdAt(),
                member.updatedAt());
    }
}
