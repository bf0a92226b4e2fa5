package dev.relaygate.controlplane.billing;

import java.util.UUID;

import jakarta.validation.constraints.NotNull;

/** Body of {@code POST /v1/organizations/{orgId}/billing/checkout}: the plan to subscribe to. */
public record CheckoutRequest(@NotNull UUID planId) {
}
