package dev.relaygate.controlplane;

import java.time.Clock;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

/** The Relaygate control plane: organizations, members, plans and API keys, published to gateways via Redis. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ControlPlaneApplication {

    public static void main(String[] args) {
        SpringApplication.run(ControlPlaneApplication.class, args);
    }

    /** The one source of "now", so tests can move time (key rotation grace, expiry) without sleeping. */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
