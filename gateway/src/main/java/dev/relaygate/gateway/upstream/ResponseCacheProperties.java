package dev.relaygate.gateway.upstream;

import java.time.Duration;
import java.util.List;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The finality-aware response cache ({@code relaygate.cache.*}, issue #17), documented in docs/gateway-config.md and
 * docs/upstreams.md ("Cache").
 *
 * @param enabled answer cacheable calls of EVM chains from the cache
 * @param frontMaxSize bound of the in-memory front, in bytes of cached results and their keys
 * @param timeToLive how long an entry lives in Redis and in the front (what is cached never changes; this bounds
 *     the space it takes)
 * @param confirmations for a node that does not know the {@code finalized} block tag, its head minus this many
 *     blocks is taken as its finalized head
 * @param disabledMethods methods of the rules table never to cache
 */
@Validated
@ConfigurationProperties("relaygate.cache")
public record ResponseCacheProperties(
        @DefaultValue("true") boolean enabled,
        @NotNull @DefaultValue("8MB") DataSize frontMaxSize,
        @NotNull @DefaultValue("24h") Duration timeToLive,
        @PositiveOrZero @DefaultValue("64") long confirmations,
        @DefaultValue List<String> disabledMethods) {
}
