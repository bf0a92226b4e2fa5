package dev.relaygate.controlplane.notification;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The e-mail sender of quota notifications: SMTP when enabled, nothing otherwise, unless one is declared. */
@Configuration(proxyBeanMethods = false)
class NotificationConfiguration {

    @Bean
    @ConditionalOnMissingBean(EmailSender.class)
    EmailSender emailSender(NotificationProperties properties) {
        return properties.email().enabled() ? new SmtpEmailSender(properties.email()) : EmailSender.NONE;
    }
}
