package dev.relaygate.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** The property names and defaults documented in docs/rate-limiting.md bind as documented. */
class RateLimitPropertiesBindingTest {

    @Test
    void bindsTheDocumentedDefaults() {
        RateLimitProperties properties = bind(Map.of("relaygate.ratelimit.instance-count", "3"))
            .bindOrCreate("relaygate.ratelimit", RateLimitProperties.class);

        assertThat(properties.commandTimeout()).isEqualTo(Duration.ofMillis(50));
        assertThat(properties.instanceCount()).isEqualTo(3);
        assertThat(properties.maxOvershoot()).isEqualTo(0.01);
        assertThat(properties.maxUnsynchronizedTime()).isEqualTo(Duration.ofMillis(100));
        assertThat(properties.idleBucketExpiry()).isEqualTo(Duration.ofMinutes(1));
        assertThat(properties.probeInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(properties.reconnectDelayMax()).isEqualTo(Duration.ofSeconds(1));
        assertThat(properties.maxCachedBuckets()).isEqualTo(100_000);
        assertThat(properties).isEqualTo(RateLimitProperties.defaults().withInstanceCount(3));
    }

    @Test
    void bindsMethodOverridesWrittenWithBrackets() {
        MethodWeightProperties overrides = bind(Map.of(
            "relaygate.ratelimit.weights.methods.evm.[eth_call]", "40",
            "relaygate.ratelimit.weights.methods.evm.[debug_*]", "1000",
            "relaygate.ratelimit.weights.unknown-method.evm", "99"))
            .bindOrCreate("relaygate.ratelimit.weights", MethodWeightProperties.class);

        MethodWeights weights = MethodWeights.from(overrides);

        assertThat(weights.cost("evm", "eth_call")).isEqualTo(40);
        assertThat(weights.cost("evm", "debug_getRawBlock")).isEqualTo(1000);
        assertThat(weights.cost("evm", "eth_whatever")).isEqualTo(99);
    }

    private static Binder bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties));
    }
}
