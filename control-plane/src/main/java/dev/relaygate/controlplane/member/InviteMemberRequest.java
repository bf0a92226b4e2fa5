package dev.relaygate.controlplane.member;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * Body of {@code POST /v1/organizations/{orgId}/members}: exactly one of {@code subject} (an identity-provider
 * subject) or {@code email} (claimed by the first user signing in with that verified address).
 */
public record InviteMemberRequest(@Size(min = 1, max = 255) String subject, @Email @Size(max = 320) String email,
        @NotNull Role role) {

    @AssertTrue(message = "give exactly one of subject or email")
    public boolean isExactlyOneIdentity() {
        return (subject == null) != (email == null);
    }
}
