package dev.relaygate.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class MethodWeightsTest {

    private final MethodWeights defaults = MethodWeights.defaults();

    @ParameterizedTest
    @CsvSource({
        "evm, eth_blockNumber, 10",
        "evm, eth_call, 26",
        "evm, eth_getLogs, 75",
        "evm, eth_sendRawTransaction, 250",
        "evm, debug_traceTransaction, 309",
        "evm, debug_getRawBlock, 170",
        "evm, trace_filter, 170",
        "evm, eth_somethingNew, 50",
        "solana, getSlot, 10",
        "solana, sendTransaction, 250",
        "solana, getSomethingNew, 30",
        "generic, anything, 20",
    })
    void pricesMethodsFromTheDefaultTable(String family, String method, long expected) {
        assertThat(defaults.cost(family, method)).isEqualTo(expected);
    }

    @Test
    void pricesABatchAsTheSumOfItsCalls() {
        long cost = defaults.cost("evm", List.of("eth_blockNumber", "eth_call", "eth_call", "eth_getLogs"));

        assertThat(cost).isEqualTo(10 + 26 + 26 + 75);
    }

    @Test
    void pricesAnUnknownFamilyAsGeneric() {
        assertThat(defaults.cost("cosmos", "status")).isEqualTo(20);
    }

    @Test
    void appliesConfiguredOverridesOnTopOfTheDefaults() {
        MethodWeights weights = MethodWeights.from(new MethodWeightProperties(
            Map.of("evm", Map.of("eth_call", 40L, "debug_*", 1000L), "starknet", Map.of("starknet_call", 7L)),
            Map.of("evm", 99L)));

        assertThat(weights.cost("evm", "eth_call")).isEqualTo(40);
        assertThat(weights.cost("evm", "debug_getRawBlock")).isEqualTo(1000);
        assertThat(weights.cost("evm", "debug_traceTransaction")).isEqualTo(309);
        assertThat(weights.cost("evm", "eth_blockNumber")).isEqualTo(10);
        assertThat(weights.cost("evm", "eth_unknown")).isEqualTo(99);
        assertThat(weights.cost("starknet", "starknet_call")).isEqualTo(7);
        assertThat(weights.cost("starknet", "starknet_other")).isEqualTo(20);
    }

    @Test
    void neverPricesACallBelowOneComputeUnit() {
        MethodWeights weights = MethodWeights.from(new MethodWeightProperties(
            Map.of("evm", Map.of("eth_chainId", 0L)), Map.of()));

        assertThat(weights.cost("evm", "eth_chainId")).isEqualTo(1);
    }
}
