package dev.relaygate.gateway.upstream;

import java.time.Duration;
import java.util.List;

import dev.relaygate.gateway.routing.ChainProperties;

/**
 * How long one attempt of a request may take: the timeout of its method's class ({@code eth_getLogs} longer than
 * {@code eth_call}), or the chain's default; a batch takes the longest timeout of its methods.
 */
final class AttemptTimeouts {

    private final Duration fallback;

    private final List<ChainProperties.MethodTimeout> classes;

    AttemptTimeouts(ChainProperties.Retry retry) {
        this.fallback = retry.timeout();
        this.classes = List.copyOf(retry.methodTimeouts().values());
    }

    Duration of(List<String> methods) {
        Duration longest = Duration.ZERO;
        for (String method : methods) {
            Duration timeout = of(method);
            longest = timeout.compareTo(longest) > 0 ? timeout : longest;
        }
        return longest.isZero() ? fallback : longest;
    }

    private Duration of(String method) {
        for (ChainProperties.MethodTimeout methodClass : classes) {
            for (String pattern : methodClass.methods()) {
                boolean matches = pattern.endsWith("*")
                        ? method != null && method.regionMatches(0, pattern, 0, pattern.length() - 1)
                        : pattern.equals(method);
                if (matches) {
                    return methodClass.timeout();
                }
            }
        }
        return fallback;
    }
}
