package dev.relaygate.controlplane.notification;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import io.swagger.v3.oas.annotations.media.Schema;

/** Body of {@code PUT /v1/organizations/{orgId}/notifications/webhook}. */
public record SetWebhookRequest(
        @Schema(description = "Where deliveries are POSTed: an http or https URL without user information; a public "
                + "address unless the deployment allows private ones", example = "https://hooks.example.com/relaygate")
        @NotBlank @Size(max = 2000) String url,
        @Schema(description = "Issue a new signing secret (answered once, in this response); the old one stops "
                + "signing at once. The first PUT always issues one.") Boolean rotateSecret) {
}
