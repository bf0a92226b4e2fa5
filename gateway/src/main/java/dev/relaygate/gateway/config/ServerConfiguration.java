package dev.relaygate.gateway.config;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.relaygate.gateway.observability.GatewayErrorHandler;
import dev.relaygate.gateway.observability.ResponseHygieneFilter;

/** The HTTP server's protections and the gateway-wide web filter and error handler. */
@Configuration(proxyBeanMethods = false)
class ServerConfiguration {

    @Bean
    NettyServerCustomizer slowClientTimeouts(ServerTimeoutProperties timeouts) {
        return server -> server.readTimeout(timeouts.readTimeout()).requestTimeout(timeouts.requestTimeout());
    }

    @Bean
    ResponseHygieneFilter responseHygieneFilter() {
        return new ResponseHygieneFilter();
    }

    @Bean
    GatewayErrorHandler gatewayErrorHandler() {
        return new GatewayErrorHandler();
    }
}
