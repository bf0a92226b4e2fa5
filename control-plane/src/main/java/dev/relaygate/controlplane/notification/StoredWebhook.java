package dev.relaygate.controlplane.notification;

import java.time.Instant;
import java.util.UUID;

/** A row of {@code notification_webhooks}. */
record StoredWebhook(UUID organizationId, String url, String signingSecret, Instant createdAt, Instant updatedAt) {

    @Override
    public String toString() {
        // The signing secret never reaches a log line.
        return "StoredWebhook[organizationId=" + organizationId + "]";
    }
}
