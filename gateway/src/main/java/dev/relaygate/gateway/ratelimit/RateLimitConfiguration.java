package dev.relaygate.gateway.ratelimit;

import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.relaygate.gateway.config.RedisProperties;

/**
 * The rate limiter's beans: its own Redis connection (short timeouts, commands rejected while disconnected),
 * the Redis token buckets with their local fallback, the method price list and the health indicator. See docs/rate-limiting.md.
 */
@Configuration(proxyBeanMethods = false)
class RateLimitConfiguration {

    @Bean(destroyMethod = "close")
    RateLimitRedis rateLimitRedis(RedisProperties redis, RateLimitProperties properties) {
        return RateLimitRedis.connect(redis.url().toString(), redis.mode(), properties);
    }

    @Bean(destroyMethod = "close")
    RedisRateLimiter rateLimiter(RateLimitRedis redis, RateLimitProperties properties, MeterRegistry meters) {
        // Wall clock: bucket4j timestamps the shared bucket state, so every instance must agree on the time.
        return new RedisRateLimiter(redis, properties, TimeMeter.SYSTEM_MILLISECONDS, meters);
    }

    @Bean
    MethodWeights methodWeights(MethodWeightProperties overrides) {
        return MethodWeights.from(overrides);
    }

    @Bean
    RateLimitHealthIndicator rateLimitHealthIndicator(RedisRateLimiter limiter) {
        return new RateLimitHealthIndicator(limiter);
    }
}
