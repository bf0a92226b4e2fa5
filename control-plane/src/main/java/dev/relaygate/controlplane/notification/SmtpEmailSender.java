package dev.relaygate.controlplane.notification;

import java.util.Properties;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSenderImpl;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Sends e-mail over SMTP with Jakarta Mail (Angus), configured by {@code relaygate.notifications.email.*}. Jakarta
 * Mail blocks, so each send runs on the bounded {@code smtp} scheduler; connect, read and write are bounded by
 * {@code email.timeout}.
 */
public final class SmtpEmailSender implements EmailSender, DisposableBean {

    private final JavaMailSenderImpl mail = new JavaMailSenderImpl();

    private final String from;

    private final Scheduler smtp;

    public SmtpEmailSender(NotificationProperties.Email email) {
        mail.setHost(email.host());
        mail.setPort(email.port());
        mail.setUsername(email.username());
        mail.setPassword(email.password());
        mail.setDefaultEncoding("UTF-8");
        Properties settings = new Properties();
        String millis = Long.toString(email.timeout().toMillis());
        settings.put("mail.smtp.connectiontimeout", millis);
        settings.put("mail.smtp.timeout", millis);
        settings.put("mail.smtp.writetimeout", millis);
        settings.put("mail.smtp.auth", Boolean.toString(email.username() != null && !email.username().isBlank()));
        settings.put("mail.smtp.starttls.enable", Boolean.toString(email.startTls()));
        settings.put("mail.smtp.starttls.required", Boolean.toString(email.startTls()));
        mail.setJavaMailProperties(settings);
        this.from = email.from();
        this.smtp = Schedulers.newBoundedElastic(email.threads(), 1_000, "smtp");
    }

    @Override
    public Mono<Void> send(Message message) {
        return Mono.<Void>fromRunnable(() -> {
            SimpleMailMessage mime = new SimpleMailMessage();
            mime.setFrom(from);
            mime.setTo(message.to().toArray(String[]::new));
            mime.setSubject(message.subject());
            mime.setText(message.text());
            mail.send(mime);
        }).subscribeOn(smtp);
    }

    @Override
    public void destroy() {
        smtp.dispose();
    }

    @Override
    public String toString() {
        return "SmtpEmailSender[host=" + mail.getHost() + ", port=" + mail.getPort() + "]";
    }
}
