package dev.relaygate.controlplane.notification;

import java.util.List;

import reactor.core.publisher.Mono;

/**
 * Sends an e-mail. Pluggable: the control plane uses {@link SmtpEmailSender} when
 * {@code relaygate.notifications.email.enabled}, a sender that sends nothing otherwise, and any bean of this type an
 * operator declares instead of either (a provider's HTTP API, say). Implementations never block the calling thread
 * and never log credentials.
 */
public interface EmailSender {

    /** A sender that sends nothing (and logs nothing): e-mail is off. */
    EmailSender NONE = message -> Mono.empty();

    /** Completes when the message was handed to the mail system. */
    Mono<Void> send(Message message);

    /** A plain-text e-mail to one or more recipients. */
    record Message(List<String> to, String subject, String text) {

        public Message {
            to = List.copyOf(to);
        }
    }
}
