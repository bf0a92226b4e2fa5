package dev.relaygate.gateway.auth;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The policy decisions, without HTTP. */
class KeyPolicyTest {

    private static final PlanSnapshot FREE = new PlanSnapshot(1, "p", "free", 1, 10, 10, 600, 0, 100, 0, List.of(),
            List.of("standard"));

    private final KeyPolicy policy = new KeyPolicy(new MethodClasses(java.util.Map.of()));

    @ParameterizedTest
    @CsvSource({
        "https://app.example.com, true",
        "https://APP.example.com, true",
        "http://app.example.com, false",
        "https://evil.com, false",
        "https://a.example.org, true",
        "https://deep.a.example.org, true",
        "https://example.org, false",
        "https://notexample.org, false",
        "null, false",
    })
    void matchesExactOriginsAndWildcardSubdomains(String origin, boolean allowed) {
        assertThat(KeyPolicy.allowsOrigin(List.of("https://app.example.com", "*.example.org"), origin))
            .isEqualTo(allowed);
    }

    @Test
    void freePlansCannotCallDebugOrTraceMethods() {
        KeySnapshot key = key(KeySnapshot.Policy.NONE);

        assertThat(policy.refuseMethod(key, FREE, "evm", "eth_call")).isEmpty();
        assertThat(policy.refuseMethod(key, FREE, "evm", "debug_traceTransaction")).isPresent();
        assertThat(policy.refuseMethod(key, FREE, "evm", "trace_block")).isPresent();
    }

    @Test
    void deniedMethodsWinOverAllowedOnes() {
        KeySnapshot key = key(new KeySnapshot.Policy(List.of(), List.of(), List.of(), List.of("eth_*"),
                List.of("eth_sendRawTransaction"), false, List.of()));

        assertThat(policy.refuseMethod(key, FREE, "evm", "eth_call")).isEmpty();
        assertThat(policy.refuseMethod(key, FREE, "evm", "eth_sendRawTransaction")).isPresent();
        assertThat(policy.refuseMethod(key, FREE, "evm", "net_version")).isPresent();
    }

    @Test
    void refusesChainsOutsideTheKeysAllowlist() {
        KeySnapshot key = key(new KeySnapshot.Policy(List.of("eth-mainnet"), List.of(), List.of(), List.of(),
                List.of(), false, List.of()));

        assertThat(policy.refuseRequest(key, FREE, "eth-mainnet", null, null)).isEmpty();
        assertThat(policy.refuseRequest(key, FREE, "anvil", null, null)).isPresent();
    }

    @Test
    void refusesAddressesOutsideTheKeysBlocks() throws Exception {
        KeySnapshot key = key(new KeySnapshot.Policy(List.of(), List.of(), List.of("203.0.113.0/24", "2001:db8::/32"),
                List.of(), List.of(), false, List.of()));

        assertThat(policy.refuseRequest(key, FREE, "anvil", null, InetAddress.getByName("203.0.113.77"))).isEmpty();
        assertThat(policy.refuseRequest(key, FREE, "anvil", null, InetAddress.getByName("2001:db8::1"))).isEmpty();
        assertThat(policy.refuseRequest(key, FREE, "anvil", null, InetAddress.getByName("198.51.100.1"))).isPresent();
    }

    @Test
    void believesForwardedForOnlyFromTrustedProxies() throws Exception {
        TrustedProxies proxies = new TrustedProxies(List.of("10.0.0.0/8"));
        InetAddress proxy = InetAddress.getByName("10.1.2.3");
        InetAddress stranger = InetAddress.getByName("198.51.100.9");

        assertThat(proxies.clientAddress(proxy, "203.0.113.5, 10.0.0.7")).isEqualTo(InetAddress.getByName("203.0.113.5"));
        assertThat(proxies.clientAddress(proxy, "1.1.1.1, 203.0.113.5")).isEqualTo(InetAddress.getByName("203.0.113.5"));
        assertThat(proxies.clientAddress(stranger, "203.0.113.5")).isEqualTo(stranger);
        assertThat(proxies.clientAddress(proxy, "not-an-address")).isEqualTo(proxy);
    }

    @Test
    void cidrBlocksNeverResolveHostNames() {
        assertThat(CidrBlock.parse("localhost")).isEmpty();
        assertThat(CidrBlock.parse("10.0.0.0/33")).isEmpty();
        assertThat(CidrBlock.parse("10.0.0.0/8")).isPresent();
    }

    private static KeySnapshot key(KeySnapshot.Policy policy) {
        return new KeySnapshot(1, "k", KeyHash.parse("ab".repeat(32)), "o", "p", KeySnapshot.ACTIVE, null, 1, policy);
    }
}
