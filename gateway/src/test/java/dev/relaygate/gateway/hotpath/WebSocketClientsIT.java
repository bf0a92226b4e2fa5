package dev.relaygate.gateway.hotpath;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.relaygate.gateway.testsupport.AnvilNode;
import dev.relaygate.gateway.testsupport.GatewayIntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Unmodified dApp clients from npm against the gateway's WebSocket (issue #20): ethers' {@code WebSocketProvider} and
 * viem's {@code webSocket} transport, at the versions {@code src/test/js/package-lock.json} pins, run by Node
 * ({@code src/test/js/websocket-clients.mjs}) against a real Anvil node: a call, {@code newHeads} while blocks are
 * mined, {@code logs} of a contract's event, and a batch, all over the socket. Needs Node.js 20+ and npm; the packages
 * are installed with {@code npm ci} from the committed lock file on the first run.
 */
class WebSocketClientsIT extends GatewayIntegrationTest {

    private static final Logger log = LoggerFactory.getLogger(WebSocketClientsIT.class);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final AnvilNode NODE = AnvilNode.start();

    private static final Path CLIENTS = Path.of(System.getProperty("relaygate.root", ".."))
        .resolve("gateway/src/test/js").toAbsolutePath().normalize();

    @LocalServerPort
    private int port;

    @DynamicPropertySource
    static void anvilChain(DynamicPropertyRegistry properties) {
        properties.add("relaygate.chains[1].id", () -> "anvil-ws");
        properties.add("relaygate.chains[1].upstreams[0].url", NODE::url);
        properties.add("relaygate.chains[1].upstreams[0].ws-url", NODE::wsUrl);
    }

    @AfterAll
    static void stopAnvil() {
        NODE.close();
    }

    @Test
    void ethersAndViemSubscribeCallAndBatchOverTheGatewaysSocket() {
        installClients();
        List<String> lines = run("node", "websocket-clients.mjs",
                "ws://127.0.0.1:" + port + "/v1/anvil-ws/" + activeKey(), NODE.url());
        assertThat(lines).hasSize(3);
        JsonNode deployed = JSON.readTree(lines.get(0));
        String contract = deployed.get("contract").asString();
        String topic = deployed.get("topic").asString();

        for (String line : lines.subList(1, 3)) {
            JsonNode observed = JSON.readTree(line);
            String client = observed.get("client").asString();
            assertThat(observed.get("chainId").asString().equals("0x7a69") || observed.get("chainId").asInt() == 31337)
                .as("%s: eth_chainId over the socket", client).isTrue();
            assertThat(observed.get("blockNumber").asLong()).as("%s: eth_blockNumber", client).isPositive();

            List<Long> heads = new ArrayList<>();
            observed.get("heads").forEach(head -> heads.add(head.asLong()));
            assertThat(heads).as("%s: newHeads while blocks are mined, each once and in order", client)
                .hasSizeGreaterThanOrEqualTo(3);
            for (int i = 1; i < heads.size(); i++) {
                assertThat(heads.get(i)).as("%s: heads %s", client, heads).isEqualTo(heads.get(i - 1) + 1);
            }

            List<String> sent = new ArrayList<>();
            observed.get("sentTransactions").forEach(hash -> sent.add(hash.asString()));
            JsonNode logs = observed.get("logs");
            assertThat(logs.size()).as("%s: logs of the contract's event", client).isGreaterThanOrEqualTo(2);
            List<String> logged = new ArrayList<>();
            for (JsonNode event : logs) {
                assertThat(event.get("address").asString()).isEqualToIgnoringCase(contract);
                assertThat(event.get("topics").get(0).asString()).isEqualTo(topic);
                logged.add(event.get("transactionHash").asString());
            }
            assertThat(sent).as("%s: every log is of a transaction sent, once", client).containsAll(logged);
            assertThat(logged).doesNotHaveDuplicates();
            // A transaction sent before the subscription held has no log; every one after it has.
            assertThat(logged).isEqualTo(sent.subList(sent.size() - logged.size(), sent.size()));

            JsonNode batch = observed.get("batch");
            assertThat(batch.toString()).as("%s: a batch over the socket", client)
                .contains("{\"jsonrpc\":\"2.0\",\"id\":\"b1\",\"result\":\"0x7a69\"}", "\"id\":\"b2\",\"result\":\"31337\"");
        }
    }

    /** {@code npm ci} from the committed lock file, once (the packages stay in the ignored node_modules). */
    private static void installClients() {
        if (Files.isDirectory(CLIENTS.resolve("node_modules/ethers"))
                && Files.isDirectory(CLIENTS.resolve("node_modules/viem"))) {
            return;
        }
        run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
    }

    /** Runs a command in the clients' folder; its standard output's lines, or a failure with what it printed. */
    private static List<String> run(String... command) {
        try {
            Path output = Files.createTempFile("websocket-clients", ".out");
            Process process = new ProcessBuilder(command)
                .directory(CLIENTS.toFile())
                // Not inherited: Failsafe's command channel is this fork's standard input (see AnvilNode).
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
            process.getOutputStream().close();
            boolean ended = process.waitFor(3, TimeUnit.MINUTES);
            String printed = Files.readString(output, StandardCharsets.UTF_8);
            Files.deleteIfExists(output);
            if (!ended) {
                process.destroyForcibly();
            }
            assertThat(ended && process.exitValue() == 0).as("%s failed:%n%s", String.join(" ", command), printed)
                .isTrue();
            log.info("{}: {}", command[0], printed.length() > 2000 ? printed.substring(0, 2000) + "…" : printed);
            return printed.lines().filter(line -> line.startsWith("{")).toList();
        }
        catch (IOException e) {
            throw new UncheckedIOException("the WebSocket client tests need Node.js 20+ and npm", e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
