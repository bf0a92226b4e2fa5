package dev.relaygate.gateway.auth;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.relaygate.gateway.GatewayApplication;
import dev.relaygate.gateway.testsupport.FreePorts;
import dev.relaygate.gateway.testsupport.OwnNettyResources;
import dev.relaygate.gateway.testsupport.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis and the control plane both unreachable: every request with a key the gateway has not cached is answered 503
 * with JSON-RPC -32603, and the log says so in one line per 10 s, not a WARN and a stack trace per request (Caffeine
 * logged each failed load with its stack trace: 41 lines for every such request).
 */
@ExtendWith(OutputCaptureExtension.class)
class KeyServiceOutageIT {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_chainId\",\"params\":[]}";

    private static final int REQUESTS = 30;

    @TempDir
    Path spool;

    @Test
    void uncachedKeysAreRefusedAsUncheckableAndTheOutageIsLoggedOnceNotPerRequest(CapturedOutput logs) {
        List<String> keys = new ArrayList<>();
        try (ConfigurableApplicationContext gateway = start()) {
            WebTestClient client = WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + gateway.getEnvironment().getProperty("local.server.port"))
                .build();
            for (int i = 0; i < REQUESTS; i++) {
                String key = TestKeys.newKey();
                keys.add(key);
                client.post().uri("/v1/anvil/" + key).contentType(MediaType.APPLICATION_JSON).bodyValue(CALL)
                    .exchange()
                    .expectStatus().isEqualTo(503)
                    .expectBody().json("{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-32603,"
                            + "\"message\":\"keys cannot be checked right now\"}}", true);
            }
        }

        String output = withoutOtherContextsRetries(logs.getAll());
        long lines = output.lines().filter(line -> line.contains("KeySnapshot cannot be loaded")).count();
        assertThat(lines).as("the outage, logged at most once per 10 s").isBetween(1L, 2L);
        assertThat(output).doesNotContain("Exception thrown during asynchronous load").doesNotContain("\tat ");
        assertThat(keys).allSatisfy(key -> assertThat(output).doesNotContain(key));
    }

    private ConfigurableApplicationContext start() {
        return new SpringApplicationBuilder(GatewayApplication.class, OwnNettyResources.class).run(
                "--server.port=0",
                "--management.server.port=0",
                "--relaygate.redis.url=redis://127.0.0.1:" + FreePorts.loopback(),
                "--relaygate.control-plane.url=http://127.0.0.1:" + FreePorts.loopback(),
                "--relaygate.usage.spool.directory=" + spool,
                "--relaygate.chains[0].id=anvil",
                "--relaygate.chains[0].family=evm",
                "--relaygate.chains[0].upstreams[0].url=http://127.0.0.1:" + FreePorts.loopback() + "/",
                "--relaygate.cache.enabled=false");
    }

    /**
     * The captured output without what Lettuce clients of other test classes' cached contexts log while they retry a
     * Redis Cluster that was stopped (a WARN with a stack trace from the topology refresh, now and then): not this
     * gateway's lines, whose stack traces are the point of the check.
     */
    private static String withoutOtherContextsRetries(String output) {
        StringBuilder kept = new StringBuilder();
        boolean skipping = false;
        for (String line : output.lines().toList()) {
            if (line.matches("^\\d{4}-\\d{2}-\\d{2}T.*")) {
                skipping = line.contains("i.l.c.c.t.DefaultClusterTopologyRefresh")
                        || line.contains("i.l.c.c.ClusterTopologyRefreshScheduler");
            }
            if (!skipping) {
                kept.append(line).append('\n');
            }
        }
        return kept.toString();
    }
}
