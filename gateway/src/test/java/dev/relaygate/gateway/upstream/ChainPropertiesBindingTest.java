package dev.relaygate.gateway.upstream;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import dev.relaygate.gateway.routing.ChainProperties;
import dev.relaygate.gateway.routing.UpstreamTier;

import static org.assertj.core.api.Assertions.assertThat;

/** The chain properties documented in docs/upstreams.md bind as documented; one url per upstream still suffices. */
class ChainPropertiesBindingTest {

    @Test
    void aChainWithOnlyUrlsGetsTheDocumentedDefaults() {
        ChainProperties.Chain chain = bind(Map.of(
                "relaygate.chains[0].id", "eth-mainnet",
                "relaygate.chains[0].upstreams[0].url", "https://one.example/v3/key")).chains().get(0);

        ChainProperties.Upstream upstream = chain.upstreams().get(0);
        assertThat(upstream.url()).isEqualTo(URI.create("https://one.example/v3/key"));
        assertThat(upstream.name()).isNull();
        assertThat(upstream.weight()).isEqualTo(1);
        assertThat(upstream.tier()).isEqualTo(UpstreamTier.PRIMARY);
        assertThat(upstream.archive()).isFalse();
        assertThat(upstream.requestsPerSecond()).isZero();
        assertThat(upstream.computeUnitsPerSecond()).isZero();
        assertThat(chain.health()).isEqualTo(new ChainProperties.Health(Duration.ofSeconds(5), Duration.ofSeconds(2),
                5, 128));
        assertThat(chain.retry().deadline()).isEqualTo(Duration.ofSeconds(30));
        assertThat(chain.retry().maxAttempts()).isEqualTo(3);
        assertThat(chain.retry().timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(chain.retry().methodTimeouts()).isEqualTo(ChainProperties.Retry.DEFAULT_METHOD_TIMEOUTS);
        assertThat(chain.hedging()).isEqualTo(new ChainProperties.Hedging(true, null, Duration.ofMillis(20),
                Duration.ofSeconds(1), Duration.ofSeconds(2), 0.1));
        assertThat(chain.ejection()).isEqualTo(new ChainProperties.Ejection(3, Duration.ofSeconds(1),
                Duration.ofSeconds(60)));
    }

    @Test
    void bindsEverySetting() {
        Map<String, String> properties = Map.ofEntries(
                Map.entry("relaygate.chains[0].id", "eth-mainnet"),
                Map.entry("relaygate.chains[0].upstreams[0].url", "https://paid.example/v3/key"),
                Map.entry("relaygate.chains[0].upstreams[0].name", "paid"),
                Map.entry("relaygate.chains[0].upstreams[0].weight", "3"),
                Map.entry("relaygate.chains[0].upstreams[0].archive", "true"),
                Map.entry("relaygate.chains[0].upstreams[0].requests-per-second", "25"),
                Map.entry("relaygate.chains[0].upstreams[0].compute-units-per-second", "500"),
                Map.entry("relaygate.chains[0].upstreams[1].url", "https://public.example"),
                Map.entry("relaygate.chains[0].upstreams[1].tier", "fallback"),
                Map.entry("relaygate.chains[0].health.interval", "2s"),
                Map.entry("relaygate.chains[0].health.max-blocks-behind", "3"),
                Map.entry("relaygate.chains[0].retry.deadline", "10s"),
                Map.entry("relaygate.chains[0].retry.max-attempts", "2"),
                Map.entry("relaygate.chains[0].retry.timeout", "3s"),
                Map.entry("relaygate.chains[0].retry.method-timeouts.logs.timeout", "8s"),
                Map.entry("relaygate.chains[0].retry.method-timeouts.logs.methods[0]", "eth_getLogs"),
                Map.entry("relaygate.chains[0].hedging.enabled", "false"),
                Map.entry("relaygate.chains[0].hedging.delay", "150ms"),
                Map.entry("relaygate.chains[0].hedging.loser-grace", "500ms"),
                Map.entry("relaygate.chains[0].hedging.max-ratio", "0.05"),
                Map.entry("relaygate.chains[0].ejection.consecutive-failures", "5"),
                Map.entry("relaygate.chains[0].ejection.max-back-off", "5m"));

        ChainProperties.Chain chain = bind(properties).chains().get(0);

        assertThat(chain.upstreams().get(0)).isEqualTo(new ChainProperties.Upstream(
                URI.create("https://paid.example/v3/key"), "paid", 3, UpstreamTier.PRIMARY, true, 25, 500, null));
        assertThat(chain.upstreams().get(1).tier()).isEqualTo(UpstreamTier.FALLBACK);
        assertThat(chain.health().interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(chain.health().maxBlocksBehind()).isEqualTo(3);
        assertThat(chain.retry().methodTimeouts()).isEqualTo(Map.of("logs",
                new ChainProperties.MethodTimeout(Duration.ofSeconds(8), List.of("eth_getLogs"))));
        assertThat(new AttemptTimeouts(chain.retry()).of(List.of("eth_call", "eth_getLogs")))
            .isEqualTo(Duration.ofSeconds(8));
        assertThat(new AttemptTimeouts(chain.retry()).of(List.of("eth_call"))).isEqualTo(Duration.ofSeconds(3));
        assertThat(chain.hedging().enabled()).isFalse();
        assertThat(chain.hedging().delay()).isEqualTo(Duration.ofMillis(150));
        assertThat(chain.hedging().loserGrace()).isEqualTo(Duration.ofMillis(500));
        assertThat(chain.hedging().maxRatio()).isEqualTo(0.05);
        assertThat(chain.ejection()).isEqualTo(new ChainProperties.Ejection(5, Duration.ofSeconds(1),
                Duration.ofMinutes(5)));
    }

    @Test
    void refusesAHedgingRatioOutsideZeroToOneAndANegativeGrace() {
        try (ValidatorFactory factory = Validation.buildDefaultValidatorFactory()) {
            Validator validator = factory.getValidator();

            assertThat(validator.validate(new ChainProperties.Hedging(true, null, Duration.ofMillis(20),
                    Duration.ofSeconds(1), Duration.ofSeconds(2), 1.5))).extracting(ConstraintViolation::getPropertyPath)
                .extracting(Object::toString).containsExactly("maxRatio");
            assertThat(validator.validate(new ChainProperties.Hedging(true, null, Duration.ofMillis(20),
                    Duration.ofSeconds(1), Duration.ofSeconds(-1), 0.1))).extracting(ConstraintViolation::getMessage)
                .containsExactly("loser-grace must not be negative");
            assertThat(validator.validate(new ChainProperties.Hedging(true, null, Duration.ofMillis(20),
                    Duration.ofSeconds(1), Duration.ZERO, 0))).isEmpty();
        }
    }

    private static ChainProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
            .bindOrCreate("relaygate", ChainProperties.class);
    }
}
