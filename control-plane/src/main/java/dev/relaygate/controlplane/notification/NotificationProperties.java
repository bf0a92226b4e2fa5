package dev.relaygate.controlplane.notification;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Quota notifications (issue #15, docs/usage-and-quotas.md "Notifications"): detection after each counted usage
 * batch, and webhook delivery with retries.
 *
 * @param enabled                whether this instance detects thresholds and delivers webhooks
 * @param pollInterval           how often the delivery worker looks for due deliveries
 * @param batchSize              deliveries claimed per round at most
 * @param concurrency            deliveries sent at once per instance at most
 * @param connectTimeout         connect timeout of a webhook call
 * @param timeout                bound on a whole webhook call (connect, request, answer)
 * @param maxAttempts            attempts before a delivery is given up ({@code failed})
 * @param initialBackoff         wait before the second attempt; doubled for each further one
 * @param maxBackoff             cap on the wait between two attempts
 * @param allowPrivateAddresses  whether webhook URLs may point at loopback, private, link-local or other non-public
 *                               addresses (tests and single-tenant deployments only: it lets tenants reach the
 *                               control plane's own network)
 * @param email                  e-mail to owners and admins, off by default
 */
@Validated
@ConfigurationProperties("relaygate.notifications")
public record NotificationProperties(@DefaultValue("true") boolean enabled,
        @NotNull @DefaultValue("1s") Duration pollInterval,
        @Min(1) @Max(1000) @DefaultValue("50") int batchSize,
        @Min(1) @Max(256) @DefaultValue("8") int concurrency,
        @NotNull @DefaultValue("2s") Duration connectTimeout,
        @NotNull @DefaultValue("10s") Duration timeout,
        @Min(1) @Max(30) @DefaultValue("10") int maxAttempts,
        @NotNull @DefaultValue("30s") Duration initialBackoff,
        @NotNull @DefaultValue("1h") Duration maxBackoff,
        @DefaultValue("false") boolean allowPrivateAddresses,
        @Valid @NotNull @DefaultValue Email email) {

    @AssertTrue(message = "relaygate.notifications durations (poll-interval, connect-timeout, timeout, initial-backoff, "
            + "max-backoff) must be positive, and max-backoff at least initial-backoff")
    public boolean isDurationsValid() {
        for (Duration d : new Duration[] { pollInterval, connectTimeout, timeout, initialBackoff, maxBackoff }) {
            if (d != null && (d.isNegative() || d.isZero())) {
                return false;
            }
        }
        return initialBackoff == null || maxBackoff == null || maxBackoff.compareTo(initialBackoff) >= 0;
    }

    /**
     * E-mail notifications by SMTP ({@link SmtpEmailSender}); without {@code enabled} nothing is sent.
     *
     * @param enabled  whether notifications are also e-mailed to the organization's owners and admins
     * @param host     SMTP server
     * @param port     SMTP port
     * @param username SMTP user, if the server wants one
     * @param password SMTP password; never logged
     * @param from     sender address
     * @param startTls whether STARTTLS is required
     * @param timeout  connect, read and write timeout of the SMTP connection
     * @param threads  size of the bounded scheduler SMTP sends run on (JavaMail blocks)
     */
    public record Email(@DefaultValue("false") boolean enabled, String host, @DefaultValue("587") int port,
            String username, String password, String from, @DefaultValue("true") boolean startTls,
            @NotNull @DefaultValue("10s") Duration timeout, @Min(1) @Max(32) @DefaultValue("2") int threads) {

        @AssertTrue(message = "relaygate.notifications.email.host and from are required when e-mail is enabled")
        public boolean isConfiguredWhenEnabled() {
            return !enabled || (host != null && !host.isBlank() && from != null && !from.isBlank());
        }

        @Override
        public String toString() {
            // The password never reaches a log line, not even through a bound-properties dump.
            return "Email[enabled=" + enabled + ", host=" + host + ", port=" + port + ", username="
                    + (username == null ? "unset" : "set") + ", password=" + (password == null ? "unset" : "set")
                    + ", from=" + from + "]";
        }
    }
}
