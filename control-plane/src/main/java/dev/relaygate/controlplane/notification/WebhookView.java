package dev.relaygate.controlplane.notification;

import java.time.Instant;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * An organization's notification webhook. {@code signingSecret} is present only in the answer that issued it (the
 * first PUT, or one with {@code rotateSecret}); afterwards only its first characters are shown.
 */
@Schema(description = "The organization's notification webhook")
public record WebhookView(
        @Schema(description = "Whether a webhook is set; when false every other field is null") boolean configured,
        String url,
        @Schema(description = "First characters of the signing secret, to tell secrets apart") String secretPrefix,
        @Schema(description = "The signing secret; only in the answer that issued it, never again")
        String signingSecret,
        Instant createdAt, Instant updatedAt) {

    /** Characters of the secret shown after it was issued. */
    static final int PREFIX_LENGTH = 14;

    static WebhookView none() {
        return new WebhookView(false, null, null, null, null, null);
    }

    static WebhookView of(StoredWebhook webhook, boolean issued) {
        return new WebhookView(true, webhook.url(), webhook.signingSecret().substring(0, PREFIX_LENGTH),
                issued ? webhook.signingSecret() : null, webhook.createdAt(), webhook.updatedAt());
    }

    @Override
    public String toString() {
        return "WebhookView[configured=" + configured + ", secretPrefix=" + secretPrefix + "]";
    }
}
