package dev.relaygate.gateway.upstream;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

import dev.relaygate.gateway.hotpath.HeaderNames;
import dev.relaygate.gateway.testsupport.AnvilNode;
import dev.relaygate.gateway.testsupport.GatewayIntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The response cache over a real node: Anvil, whose {@code finalized} block is its head minus 64. A receipt is relayed
 * every time while its block is above the finalized head, and answered from the cache once enough blocks are mined on
 * top of it; the proof that the gateway no longer asks the node is that it still answers once the node is gone.
 */
// Closed after the class: with the cache on, its finalized-head checks would keep polling the shared upstream and
// move the request counts of every later test.
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class AnvilCacheIT extends GatewayIntegrationTest {

    private static final AnvilNode ANVIL = AnvilNode.start();

    @Autowired
    private FinalizedHeads finalizedHeads;

    @DynamicPropertySource
    static void anvilChain(DynamicPropertyRegistry properties) {
        properties.add("relaygate.cache.enabled", () -> "true");
        properties.add("relaygate.chains[1].id", () -> "anvil-final");
        properties.add("relaygate.chains[1].upstreams[0].url", ANVIL::url);
        properties.add("relaygate.chains[1].health.interval", () -> "200ms");
    }

    @AfterAll
    static void stopAnvil() {
        ANVIL.close();
    }

    @Test
    void aReceiptIsCachedOnlyOnceItsBlockIsFinal() {
        String key = activeKey();
        String hash = ANVIL.transfer();
        await().atMost(Duration.ofSeconds(10)).until(() -> finalizedHeads.of("anvil-final") == 0);

        EntityExchangeResult<byte[]> beforeFinal = receipt(key, "1", hash);
        String receipt = resultOf(beforeFinal);
        assertThat(receipt).contains("\"blockNumber\":\"0x1\"");
        assertThat(receipt(key, "2", hash).getResponseHeaders().getFirst(HeaderNames.CACHE))
            .as("block 1 is above the finalized block 0").isEqualTo("miss");
        assertThat(block(key, "0x1").getResponseHeaders().getFirst(HeaderNames.CACHE)).isNull();

        ANVIL.mine(64);
        await().atMost(Duration.ofSeconds(10)).until(() -> finalizedHeads.of("anvil-final") >= 1);

        assertThat(receipt(key, "3", hash).getResponseHeaders().getFirst(HeaderNames.CACHE))
            .as("nothing was stored while the block was not final").isEqualTo("miss");
        EntityExchangeResult<byte[]> hit = receipt(key, "\"r\"", hash);
        assertThat(hit.getResponseHeaders().getFirst(HeaderNames.CACHE)).isEqualTo("hit");
        assertThat(text(hit)).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":\"r\",\"result\":" + receipt + "}");
        String finalBlock = resultOf(block(key, "0x1"));
        assertThat(block(key, "0x1").getResponseHeaders().getFirst(HeaderNames.CACHE)).isEqualTo("hit");

        ANVIL.kill();

        assertThat(text(receipt(key, "4", hash))).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":" + receipt + "}");
        assertThat(resultOf(block(key, "0x1"))).isEqualTo(finalBlock);
    }

    private EntityExchangeResult<byte[]> receipt(String key, String id, String hash) {
        return send(key, "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"eth_getTransactionReceipt\",\"params\":[\""
                + hash + "\"]}");
    }

    private EntityExchangeResult<byte[]> block(String key, String number) {
        return send(key, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBlockByNumber\",\"params\":[\"" + number
                + "\",false]}");
    }

    private EntityExchangeResult<byte[]> send(String key, String body) {
        return client.post().uri("/v1/anvil-final/" + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchange()
            .expectStatus().isOk()
            .expectBody().returnResult();
    }

    /** The result member of a single answer, as the node wrote it. */
    private static String resultOf(EntityExchangeResult<byte[]> answer) {
        String text = text(answer);
        int start = text.indexOf("\"result\":") + 9;
        assertThat(start).as("a result in " + text).isGreaterThan(8);
        return text.substring(start, text.lastIndexOf('}'));
    }

    private static String text(EntityExchangeResult<byte[]> answer) {
        return new String(answer.getResponseBody(), StandardCharsets.UTF_8);
    }
}
