package dev.relaygate.gateway.ratelimit;

import java.util.Map;

import jakarta.validation.constraints.PositiveOrZero;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Overrides of the built-in {@link MethodWeights} table ({@code relaygate.ratelimit.weights.*}).
 *
 * @param methods       per family, method name (or prefix rule ending in {@code *}) to compute units
 * @param unknownMethod per family, the cost of a method the table does not know
 */
@Validated
@ConfigurationProperties("relaygate.ratelimit.weights")
public record MethodWeightProperties(
    Map<String, Map<String, @PositiveOrZero Long>> methods,
    Map<String, @PositiveOrZero Long> unknownMethod) {

    public MethodWeightProperties {
        methods = methods == null ? Map.of() : Map.copyOf(methods);
        unknownMethod = unknownMethod == null ? Map.of() : Map.copyOf(unknownMethod);
    }

    /** No overrides: the built-in table as is. */
    public static MethodWeightProperties none() {
        return new MethodWeightProperties(Map.of(), Map.of());
    }
}
