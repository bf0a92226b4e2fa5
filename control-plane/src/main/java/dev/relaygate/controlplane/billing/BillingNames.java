package dev.relaygate.controlplane.billing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Names billing shares with Stripe, defined once: metadata keys, the audit actor, and the idempotency keys of
 * mutating Stripe calls, each derived from our own ids so that a retry of one operation reuses its key.
 */
public final class BillingNames {

    /** Metadata key naming our organization on Stripe customers, sessions and subscriptions. */
    public static final String ORGANIZATION_METADATA = "relaygate_organization_id";

    /** Metadata key naming the plan a checkout session is for. */
    public static final String PLAN_METADATA = "relaygate_plan_id";

    /** The audit-log actor of plan changes that Stripe caused. */
    public static final String ACTOR = "relaygate:billing";

    private BillingNames() {
    }

    /** One customer per organization, ever: the key is the organization id alone. */
    public static String customerKey(UUID organizationId) {
        return "relaygate-customer-" + organizationId;
    }

    /**
     * A checkout for one organization and plan, per client attempt ({@code attempt} is the caller's
     * {@code Idempotency-Key} when it sent one, else the request id): a retried request gets the same session.
     */
    public static String checkoutKey(UUID organizationId, UUID planId, String attempt) {
        return "relaygate-checkout-" + organizationId + "-" + planId + "-" + digest(attempt);
    }

    /** A portal session per organization and client attempt, as for {@link #checkoutKey}. */
    public static String portalKey(UUID organizationId, String attempt) {
        return "relaygate-portal-" + organizationId + "-" + digest(attempt);
    }

    /** A short digest, so a caller's key of up to 255 characters keeps Stripe's key within its limit. */
    private static String digest(String attempt) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(attempt.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
