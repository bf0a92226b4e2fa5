package dev.relaygate.gateway.observability;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;

/**
 * Installs {@link SecretRedaction} right after Spring Boot has (re)initialised logging, before any bean exists that
 * could log. Registered in {@code META-INF/spring.factories}, so every way of starting the gateway gets it.
 */
public final class SecretRedactionInstaller implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        SecretRedaction.install();
    }

    @Override
    public int getOrder() {
        return LoggingApplicationListener.DEFAULT_ORDER + 1;
    }
}
