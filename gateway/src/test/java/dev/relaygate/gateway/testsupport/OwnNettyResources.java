package dev.relaygate.gateway.testsupport;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * For a test that starts a gateway of its own beside the shared test context: event loops and connection pools of
 * its own, not Reactor Netty's global ones. Closing a gateway that uses the global resources disposes them, and broke
 * every later test of the JVM that relays through the shared context (its upstream calls then failed with 502).
 */
@Configuration(proxyBeanMethods = false)
public class OwnNettyResources {

    @Bean
    ReactorResourceFactory reactorResourceFactory() {
        ReactorResourceFactory resources = new ReactorResourceFactory();
        resources.setUseGlobalResources(false);
        return resources;
    }
}
