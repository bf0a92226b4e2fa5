package dev.relaygate.gateway.routing;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.relaygate.gateway.validation.AbsoluteUrl;
import dev.relaygate.gateway.validation.PositiveDuration;

/**
 * The chain catalogue as configured: {@code relaygate.chains[i].id}, {@code .aliases[j]}, {@code .family},
 * {@code .upstreams[k]} (url, weight, tier, archive flag, budget) and how the chain's upstreams are checked,
 * retried and hedged ({@code .health}, {@code .retry}, {@code .hedging}, {@code .ejection}). Every property but
 * the id and the upstream urls has a default, so a chain with one url per upstream is a complete configuration.
 * Documented in docs/upstreams.md.
 */
@Validated
@ConfigurationProperties("relaygate")
public record ChainProperties(@Valid @DefaultValue List<Chain> chains) {

    /** One chain: the id and aliases it answers to in {@code /v1/{chain}}, its family and its upstream nodes. */
    public record Chain(
            @NotNull @Pattern(regexp = "[a-z0-9][a-z0-9-]{0,62}") String id,
            @DefaultValue List<@Pattern(regexp = "[a-z0-9][a-z0-9-]{0,62}") String> aliases,
            @NotNull @DefaultValue("evm") ChainFamily family,
            @NotEmpty List<@Valid Upstream> upstreams,
            @Valid @NotNull @DefaultValue Health health,
            @Valid @NotNull @DefaultValue Retry retry,
            @Valid @NotNull @DefaultValue Hedging hedging,
            @Valid @NotNull @DefaultValue Ejection ejection) {
    }

    /**
     * An upstream node of a chain.
     *
     * @param url where calls are POSTed; may carry a provider's credential, so it never appears in answers, logs or
     *     metrics
     * @param name the upstream's name in metrics and logs; defaults to {@code <chain>-<index>}
     * @param weight relative share of calls among upstreams of the same tier and similar latency
     * @param tier primary upstreams serve while one is usable; fallback upstreams only when none is
     * @param archive the node keeps all historical state; calls for blocks older than the pruning window go to
     *     archive upstreams first
     * @param requestsPerSecond the gateway never sends more calls per second to this upstream (0: no limit); each
     *     call of a batch counts
     * @param computeUnitsPerSecond the gateway never sends more compute units per second (method weights of
     *     docs/rate-limiting.md) to this upstream (0: no limit)
     * @param wsUrl the node's WebSocket endpoint ({@code ws://} or {@code wss://}), for subscriptions
     *     ({@code eth_subscribe}) of WebSocket clients; none: the upstream serves no subscriptions. Like {@code url},
     *     never in answers, logs or metrics
     */
    public record Upstream(
            @NotNull @AbsoluteUrl URI url,
            @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9_.-]{0,62}") String name,
            @Min(1) @Max(1000) @DefaultValue("1") int weight,
            @NotNull @DefaultValue("primary") UpstreamTier tier,
            @DefaultValue("false") boolean archive,
            @PositiveOrZero @DefaultValue("0") long requestsPerSecond,
            @PositiveOrZero @DefaultValue("0") long computeUnitsPerSecond,
            URI wsUrl) {
    }

    /**
     * Active health checks ({@code eth_blockNumber} on EVM chains, {@code getSlot} on Solana; none for generic
     * chains). They run only for chains with two upstreams or more: with one there is nowhere else to go.
     *
     * @param interval time between two checks of one upstream
     * @param timeout a slower answer fails the check
     * @param maxBlocksBehind an upstream whose head is further behind the best head leaves the rotation
     * @param pruningWindow blocks a non-archive node is assumed to keep state for; older blocks go to archive nodes
     */
    public record Health(
            @NotNull @PositiveDuration @DefaultValue("5s") Duration interval,
            @NotNull @PositiveDuration @DefaultValue("2s") Duration timeout,
            @PositiveOrZero @DefaultValue("5") long maxBlocksBehind,
            @PositiveOrZero @DefaultValue("128") long pruningWindow) {
    }

    /**
     * Retries and timeouts.
     *
     * @param deadline the longest a relayed request may take, every attempt and hedge included
     * @param maxAttempts upstreams tried at most per request (hedges included)
     * @param timeout how long one attempt may take, for methods in no class of {@code methodTimeouts}
     * @param methodTimeouts per method class: a longer or shorter attempt timeout for the methods it lists
     *     (exact names, or prefixes written {@code name*}); a batch takes the longest timeout of its methods
     */
    public record Retry(
            @NotNull @PositiveDuration @DefaultValue("30s") Duration deadline,
            @Min(1) @Max(10) @DefaultValue("3") int maxAttempts,
            @NotNull @PositiveDuration @DefaultValue("10s") Duration timeout,
            Map<String, @Valid MethodTimeout> methodTimeouts) {

        /** Longer timeouts for log queries and traces, which legitimately run long. */
        public static final Map<String, MethodTimeout> DEFAULT_METHOD_TIMEOUTS = Map.of(
                "logs", new MethodTimeout(Duration.ofSeconds(20), List.of("eth_getLogs", "eth_getFilterLogs")),
                "trace", new MethodTimeout(Duration.ofSeconds(30), List.of("debug_*", "trace_*")));

        public Retry {
            methodTimeouts = methodTimeouts == null || methodTimeouts.isEmpty() ? DEFAULT_METHOD_TIMEOUTS
                    : Map.copyOf(methodTimeouts);
        }
    }

    /** An attempt timeout for a class of methods. */
    public record MethodTimeout(@NotNull @PositiveDuration Duration timeout, @NotEmpty List<String> methods) {
    }

    /**
     * Hedging of read calls: when the first upstream has not answered after {@code delay}, the same call goes to a
     * second upstream and the first answer wins. The other call may finish within {@code loserGrace}, its answer
     * discarded, so that its keep-alive connection goes back to the pool; past the grace it is cancelled, which closes
     * its connection. Hedges are at most {@code maxRatio} of the chain's hedgeable reads (issue #17).
     *
     * @param enabled hedge read calls (writes are never hedged)
     * @param delay a fixed delay; when unset, the p95 latency of the chain's last 256 answers within
     *     [{@code minDelay}, {@code maxDelay}]
     * @param minDelay the adaptive delay is never shorter
     * @param maxDelay the adaptive delay is never longer; also the delay before the chain has 32 answers
     * @param loserGrace how long the losing call may still run after the winner answered (never past the request's
     *     deadline); zero cancels it at once
     * @param maxRatio hedges per hedgeable read at most, over the last {@value #BUDGET_READS} reads or so
     *     (0: never hedge, 1: no limit)
     */
    public record Hedging(
            @DefaultValue("true") boolean enabled,
            Duration delay,
            @NotNull @DefaultValue("20ms") Duration minDelay,
            @NotNull @PositiveDuration @DefaultValue("1s") Duration maxDelay,
            @NotNull @DefaultValue("2s") Duration loserGrace,
            @DecimalMin("0.0") @DecimalMax("1.0") @DefaultValue("0.1") double maxRatio) {

        /** The reads over which {@code maxRatio} holds: the hedging budget holds {@code maxRatio} × this many hedges. */
        public static final int BUDGET_READS = 100;

        @AssertTrue(message = "min-delay must not exceed max-delay")
        boolean isOrdered() {
            return minDelay == null || maxDelay == null || minDelay.compareTo(maxDelay) <= 0;
        }

        @AssertTrue(message = "loser-grace must not be negative")
        boolean isGraceNotNegative() {
            return loserGrace == null || !loserGrace.isNegative();
        }
    }

    /**
     * Passive outlier detection, the circuit breaker of each upstream: after {@code consecutiveFailures} failed
     * calls in a row the upstream is ejected for a back-off that doubles at each ejection in a row (from
     * {@code baseBackOff} to {@code maxBackOff}); a rate-limit answer ejects it at once for its Retry-After or the
     * back-off. Once the back-off has passed the upstream is on probation: one success closes the breaker and
     * resets the back-off, one failure ejects it again.
     */
    public record Ejection(
            @Min(1) @DefaultValue("3") int consecutiveFailures,
            @NotNull @PositiveDuration @DefaultValue("1s") Duration baseBackOff,
            @NotNull @PositiveDuration @DefaultValue("60s") Duration maxBackOff) {
    }
}
