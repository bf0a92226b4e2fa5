package dev.relaygate.gateway.config;

import io.netty.channel.ChannelPipeline;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.netty.NettyPipeline;

import dev.relaygate.gateway.observability.GatewayErrorHandler;
import dev.relaygate.gateway.observability.OversizedHeadHandler;
import dev.relaygate.gateway.observability.ResponseHygieneFilter;

/** The HTTP server's protections and the gateway-wide web filter and error handler. */
@Configuration(proxyBeanMethods = false)
class ServerConfiguration {

    @Bean
    NettyServerCustomizer slowClientTimeouts(ServerTimeoutProperties timeouts) {
        return server -> server.readTimeout(timeouts.readTimeout()).requestTimeout(timeouts.requestTimeout());
    }

    /**
     * Requests refused for an oversized request line or headers get a JSON-RPC error body instead of Reactor Netty's
     * empty answer. Channel initializers run after Reactor Netty has set up the HTTP/1.1 pipeline, so the codec is
     * there; a pipeline without it (none is configured today) is left alone.
     */
    @Bean
    NettyServerCustomizer oversizedHeadAnswers() {
        return server -> server.doOnChannelInit((observer, channel, remoteAddress) -> {
            ChannelPipeline pipeline = channel.pipeline();
            if (pipeline.get(NettyPipeline.HttpCodec) != null) {
                pipeline.addAfter(NettyPipeline.HttpCodec, OversizedHeadHandler.NAME, new OversizedHeadHandler());
            }
        });
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
