package dev.relaygate.controlplane.billing;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.relaygate.controlplane.config.AbsoluteUrl;
import dev.relaygate.controlplane.config.PositiveDuration;

/**
 * Billing with Stripe (issue #16). Billing is on exactly when {@code stripe.api-key} is set; without it every
 * billing endpoint answers 503 and plans are assigned by platform administrators only.
 *
 * @param stripe        how to reach Stripe and verify its webhooks
 * @param successUrl    where Checkout sends the customer after paying ({@code {CHECKOUT_SESSION_ID}} allowed)
 * @param cancelUrl     where Checkout sends the customer who gives up
 * @param portalReturnUrl where the Billing Portal's "return" link leads
 * @param pastDueGrace  how long a {@code past_due} subscription keeps its paid plan before the free plan applies
 * @param graceSweepInterval how often organizations whose grace ended are moved to the free plan
 * @param meter         usage-based billing: compute units reported to a Stripe Billing Meter
 */
@Validated
@ConfigurationProperties("relaygate.billing")
public record BillingProperties(@Valid @NotNull @DefaultValue Stripe stripe, @AbsoluteUrl URI successUrl,
        @AbsoluteUrl URI cancelUrl, @AbsoluteUrl URI portalReturnUrl, @NotNull @DefaultValue("7d") Duration pastDueGrace,
        @NotNull @PositiveDuration @DefaultValue("1m") Duration graceSweepInterval, @Valid @NotNull @DefaultValue Meter meter) {

    public boolean enabled() {
        return stripe != null && stripe.apiKey() != null && !stripe.apiKey().isBlank();
    }

    @AssertTrue(message = "relaygate.billing.success-url, cancel-url and portal-return-url are required when "
            + "relaygate.billing.stripe.api-key is set")
    public boolean isRedirectsConfiguredWhenEnabled() {
        return !enabled() || (successUrl != null && cancelUrl != null && portalReturnUrl != null);
    }

    @AssertTrue(message = "relaygate.billing.stripe.webhook-secrets needs one or two secrets when "
            + "relaygate.billing.stripe.api-key is set")
    public boolean isWebhookSecretConfiguredWhenEnabled() {
        return !enabled() || !stripe.webhookSecrets().isEmpty();
    }

    @AssertTrue(message = "relaygate.billing.past-due-grace must not be negative")
    public boolean isGraceNotNegative() {
        return pastDueGrace == null || !pastDueGrace.isNegative();
    }

    /** Whether compute units are reported to the Stripe Billing Meter: billing on and the meter not switched off. */
    public boolean meterEnabled() {
        return enabled() && meter.enabled();
    }

    /**
     * Reporting compute units to a Stripe Billing Meter ({@link MeterReporter}).
     *
     * @param enabled         whether this deployment reports usage (only ever when billing is on)
     * @param eventName       the meter's {@code event_name} in Stripe
     * @param interval        how often a reporting round runs
     * @param settleDelay     how long after an hour ends its usage is first reported; usage arriving later is
     *                        reported as a correction slice
     * @param lateUsageWindow how far behind the last reported hour each round looks again for late usage
     * @param batchSize       slices sent to Stripe per round at most
     */
    public record Meter(@DefaultValue("true") boolean enabled,
            @NotNull @Size(min = 1, max = 100) @DefaultValue("relaygate_compute_units") String eventName,
            @NotNull @DefaultValue("1m") Duration interval, @NotNull @DefaultValue("15m") Duration settleDelay,
            @NotNull @DefaultValue("48h") Duration lateUsageWindow,
            @Min(1) @Max(10000) @DefaultValue("500") int batchSize) {

        @AssertTrue(message = "relaygate.billing.meter.interval must be positive, settle-delay and "
                + "late-usage-window must not be negative, and late-usage-window must stay within Stripe's 35 days")
        public boolean isDurationsValid() {
            return interval == null || settleDelay == null || lateUsageWindow == null
                    || (interval.isPositive() && !settleDelay.isNegative() && !lateUsageWindow.isNegative()
                            && lateUsageWindow.compareTo(Duration.ofDays(30)) <= 0);
        }
    }

    /**
     * The Stripe API and webhooks.
     *
     * @param apiKey             secret API key ({@code sk_...} or a restricted {@code rk_...}); never logged
     * @param apiBase            base URL of the Stripe API (tests point it at a stub)
     * @param webhookSecrets     endpoint signing secrets ({@code whsec_...}); two during a rotation, any may match
     * @param signatureTolerance how old a webhook's signed timestamp may be
     * @param signatureFutureSkew how far in the future a signed timestamp may be (clock skew); later is refused
     * @param connectTimeout     connect timeout of every Stripe call
     * @param readTimeout        read timeout of every Stripe call
     * @param callTimeout        bound on a whole Stripe call, queueing on the scheduler included
     * @param maxNetworkRetries  stripe-java's own retries (same idempotency key each time)
     * @param threads            size of the bounded scheduler Stripe calls run on
     * @param queuedCalls        Stripe calls that may wait for a thread before new ones are refused
     */
    public record Stripe(String apiKey, @NotNull @AbsoluteUrl @DefaultValue("https://api.stripe.com") URI apiBase,
            @NotNull @DefaultValue @Size(max = 2) List<String> webhookSecrets,
            @NotNull @PositiveDuration @DefaultValue("5m") Duration signatureTolerance,
            @NotNull @DefaultValue("5s") Duration signatureFutureSkew,
            @NotNull @PositiveDuration @DefaultValue("2s") Duration connectTimeout,
            @NotNull @PositiveDuration @DefaultValue("10s") Duration readTimeout,
            @NotNull @PositiveDuration @DefaultValue("15s") Duration callTimeout,
            @Min(0) @Max(5) @DefaultValue("1") int maxNetworkRetries,
            @Min(1) @Max(200) @DefaultValue("10") int threads,
            @Min(1) @DefaultValue("1000") int queuedCalls) {

        public Stripe {
            webhookSecrets = webhookSecrets == null ? List.of()
                    : webhookSecrets.stream().filter(s -> s != null && !s.isBlank()).toList();
        }

        @Override
        public String toString() {
            // Secrets never reach a log line, not even through a bound-properties dump.
            return "Stripe[apiBase=" + apiBase + ", apiKey=" + (apiKey == null || apiKey.isBlank() ? "unset" : "set")
                    + ", webhookSecrets=" + webhookSecrets.size() + "]";
        }
    }
}
