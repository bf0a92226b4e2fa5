package dev.relaygate.controlplane.billing;

/** The answer to Stripe for an accepted event: {@code duplicate} when it had been processed before. */
public record WebhookAck(boolean received, boolean duplicate) {
}
