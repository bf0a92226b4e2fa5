package dev.relaygate.gateway.ratelimit;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Shows on the health endpoint whether rate limits are shared through Redis or, while Redis is slow or gone,
 * decided locally. Degraded is still UP: the gateway keeps serving within its local share of each limit, and
 * taking it out of a load balancer would only move the load to the other instances.
 */
public final class RateLimitHealthIndicator implements HealthIndicator {

    private final RedisRateLimiter limiter;

    public RateLimitHealthIndicator(RedisRateLimiter limiter) {
        this.limiter = limiter;
    }

    @Override
    public Health health() {
        return limiter.isDegraded()
                ? Health.up().withDetail("mode", "degraded").withDetail("buckets", "local").build()
                : Health.up().withDetail("mode", "shared").withDetail("buckets", "redis").build();
    }
}
