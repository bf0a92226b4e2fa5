package dev.relaygate.controlplane.notification;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import reactor.core.publisher.Mono;

/**
 * E-mails a quota notification to the organization's owners and admins with a known address, when
 * {@code relaygate.notifications.email.enabled}. At most once and off the usage consumer's path: the send is started
 * when the notification is first recorded and not awaited; a failure is logged (without credentials) and not
 * retried. The webhook is the channel with delivery guarantees.
 */
@Component
public final class QuotaMail {

    private static final Logger log = LoggerFactory.getLogger(QuotaMail.class);

    private final DatabaseClient db;

    private final EmailSender sender;

    private final NotificationProperties properties;

    public QuotaMail(DatabaseClient db, EmailSender sender, NotificationProperties properties) {
        this.db = db;
        this.sender = sender;
        this.properties = properties;
    }

    /** Starts sending; completes at once. */
    Mono<Void> send(QuotaSubject subject, Threshold threshold, String payload) {
        if (!properties.email().enabled()) {
            return Mono.empty();
        }
        return Mono.fromRunnable(() -> recipients(subject)
            .filter(to -> !to.isEmpty())
            .flatMap(to -> sender.send(new EmailSender.Message(to, subjectLine(subject, threshold),
                    text(subject, threshold, payload))))
            .timeout(properties.email().timeout().multipliedBy(3))
            .subscribe(null, failure -> log.warn("Quota notification e-mail for organization {} failed: {}",
                    subject.organizationId(), failure.getClass().getSimpleName())));
    }

    private Mono<List<String>> recipients(QuotaSubject subject) {
        return db.sql("select distinct u.email from memberships m join users u on u.subject = m.user_subject "
                + "where m.organization_id = :org and m.role in ('owner', 'admin') and u.email is not null "
                + "order by u.email limit 50")
            .bind("org", subject.organizationId())
            .map(row -> row.get("email", String.class))
            .all()
            .collectList();
    }

    static String subjectLine(QuotaSubject subject, Threshold threshold) {
        String what = subject.kind().equals("org") ? "Your organization's monthly quota"
                : "The " + subject.quota() + " cap of key " + subject.name();
        return "Relaygate: " + what + (threshold == Threshold.USED_UP ? " is used up" : " is 80 % used");
    }

    private static String text(QuotaSubject subject, Threshold threshold, String payload) {
        return subjectLine(subject, threshold).substring("Relaygate: ".length()) + ": " + subject.used() + " of "
                + subject.limit() + " compute units in the period starting " + subject.periodStart() + " (UTC).\n\n"
                + "The notification as sent to your webhook:\n" + payload + "\n";
    }
}
