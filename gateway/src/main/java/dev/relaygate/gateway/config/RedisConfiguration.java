package dev.relaygate.gateway.config;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Lettuce resources and the shared Redis connections. */
@Configuration(proxyBeanMethods = false)
class RedisConfiguration {

    @Bean(destroyMethod = "shutdown")
    ClientResources redisClientResources() {
        return DefaultClientResources.create();
    }

    @Bean
    RedisConnections redisConnections(RedisProperties properties, ClientResources resources) {
        return new RedisConnections(properties, resources);
    }
}
