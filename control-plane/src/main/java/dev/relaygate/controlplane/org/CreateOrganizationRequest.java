package dev.relaygate.controlplane.org;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** Body of {@code POST /v1/organizations}. */
public record CreateOrganizationRequest(@NotBlank @Size(max = 200) String name) {
}
