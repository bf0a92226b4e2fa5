package dev.relaygate.gateway.config;

import java.util.Arrays;

import io.netty.channel.ChannelPipeline;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.netty.NettyPipeline;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;

import dev.relaygate.gateway.io.ConnectionTimeouts;
import dev.relaygate.gateway.observability.GatewayErrorHandler;
import dev.relaygate.gateway.observability.OversizedHeadHandler;
import dev.relaygate.gateway.observability.ResponseHygieneFilter;

/** The HTTP server's protections and the gateway-wide web filter and error handler. */
@Configuration(proxyBeanMethods = false)
class ServerConfiguration {

    /**
     * On HTTP/1.1 (the only protocol configured today) the read and idle timeouts are kept by one
     * {@link ConnectionTimeouts} per connection rather than Reactor Netty's {@code readTimeout} and
     * {@code idleTimeout}, which change the pipeline four times per request; with any other protocol configured, by
     * Reactor Netty's. The request timeout is Reactor Netty's (a timer per request, no pipeline change).
     */
    @Bean
    NettyServerCustomizer slowClientTimeouts(ServerTimeoutProperties timeouts) {
        return server -> {
            HttpServer bounded = server.requestTimeout(timeouts.requestTimeout());
            if (!Arrays.equals(server.configuration().protocols(), new HttpProtocol[] {HttpProtocol.HTTP11})) {
                return bounded.readTimeout(timeouts.readTimeout()).idleTimeout(timeouts.idleTimeout());
            }
            return bounded.doOnChannelInit((observer, channel, remoteAddress) -> {
                ChannelPipeline pipeline = channel.pipeline();
                if (pipeline.get(NettyPipeline.HttpCodec) != null) {
                    pipeline.addAfter(NettyPipeline.HttpCodec, ConnectionTimeouts.NAME,
                            new ConnectionTimeouts(timeouts.readTimeout(), timeouts.idleTimeout()));
                }
            });
        };
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
