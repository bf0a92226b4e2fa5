package dev.relaygate.controlplane.org;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** Body of {@code PATCH /v1/organizations/{orgId}}. */
public record UpdateOrganizationRequest(@NotBlank @Size(max = 200) String name) {
}
