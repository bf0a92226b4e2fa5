package dev.relaygate.controlplane.member;

import jakarta.validation.constraints.NotNull;

/** Body of {@code PATCH /v1/organizations/{orgId}/members/{memberId}}. */
public record UpdateMemberRequest(@NotNull Role role) {
}
