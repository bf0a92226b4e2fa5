package dev.relaygate.gateway.usage;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

import dev.relaygate.gateway.auth.KeySnapshot;
import dev.relaygate.gateway.auth.PlanSnapshot;
import dev.relaygate.gateway.jsonrpc.JsonRpcCall;
import dev.relaygate.gateway.jsonrpc.JsonRpcEnvelope;
import dev.relaygate.gateway.jsonrpc.JsonRpcErrorCode;
import dev.relaygate.gateway.jsonrpc.JsonRpcId;
import dev.relaygate.gateway.jsonrpc.JsonRpcRefusal;
import dev.relaygate.gateway.routing.ChainCatalogue;
import dev.relaygate.gateway.routing.ChainFamily;
import dev.relaygate.gateway.routing.ExchangeAttributes;

import static org.assertj.core.api.Assertions.assertThat;

/** What the usage step records for a relayed request, and when it records nothing. */
class UsageFilterTest {

    private static final Instant NOW = Instant.parse("2026-11-23T08:30:00Z");

    private final VirtualTimeScheduler time = VirtualTimeScheduler.create();

    private final List<UsageRecord> written = new CopyOnWriteArrayList<>();

    private final UsageRecorder recorder = new UsageRecorder(
            new UsageProperties(100, 100, Duration.ofSeconds(1), Duration.ofSeconds(1)),
            records -> Mono.fromRunnable(() -> written.addAll(records)), new SimpleMeterRegistry(), time);

    private final UsageFilter filter = new UsageFilter(recorder, Clock.fixed(NOW, ZoneOffset.UTC));

    @AfterEach
    void stop() {
        recorder.close();
        time.dispose();
    }

    @Test
    void recordsWhoCalledWhichMethodsOnWhichChainAndTheAnswersStatus() {
        MockServerWebExchange exchange = exchange(single("eth_blockNumber"), List.of());

        StepVerifier.create(filter.filter(exchange, answering(HttpStatus.OK))).verifyComplete();
        time.advanceTimeBy(Duration.ofSeconds(1));

        assertThat(written).singleElement().satisfies(record -> {
            assertThat(record.at()).isEqualTo(NOW);
            assertThat(record.requestId()).isEqualTo("req-1");
            assertThat(record.organizationId()).isEqualTo("org-1");
            assertThat(record.keyId()).isEqualTo("key-1");
            assertThat(record.planId()).isEqualTo("plan-1");
            assertThat(record.chainId()).isEqualTo("anvil");
            assertThat(record.methods()).containsExactly("eth_blockNumber");
            assertThat(record.status()).isEqualTo(200);
        });
    }

    @Test
    void leavesOutCallsOfABatchThatTheGatewayAnsweredItself() {
        JsonRpcCall relayed = call("eth_chainId", null);
        JsonRpcCall refused = call("debug_traceBlock", null);
        JsonRpcCall invalid = call(null, "method is missing");
        JsonRpcEnvelope batch = new JsonRpcEnvelope(true, List.of(relayed, refused, invalid));
        List<JsonRpcRefusal> refusals = new ArrayList<>(List.of(JsonRpcRefusal.invalid(invalid),
                new JsonRpcRefusal(refused, JsonRpcErrorCode.METHOD_NOT_ALLOWED, "not on this plan")));

        StepVerifier.create(filter.filter(exchange(batch, refusals), answering(HttpStatus.OK))).verifyComplete();
        time.advanceTimeBy(Duration.ofSeconds(1));

        assertThat(written).singleElement()
            .satisfies(record -> assertThat(record.methods()).containsExactly("eth_chainId"));
    }

    @Test
    void recordsNothingWhenNoCallOfTheRequestGoesUpstream() {
        JsonRpcCall refused = call("debug_traceBlock", null);
        MockServerWebExchange exchange = exchange(new JsonRpcEnvelope(true, List.of(refused)),
                new ArrayList<>(List.of(new JsonRpcRefusal(refused, JsonRpcErrorCode.METHOD_NOT_ALLOWED, "no"))));

        StepVerifier.create(filter.filter(exchange, answering(HttpStatus.OK))).verifyComplete();
        time.advanceTimeBy(Duration.ofSeconds(1));

        assertThat(written).isEmpty();
    }

    @Test
    void recordsTheUpstreamsFailureStatusToo() {
        MockServerWebExchange exchange = exchange(single("eth_call"), List.of());

        StepVerifier.create(filter.filter(exchange, answering(HttpStatus.BAD_GATEWAY))).verifyComplete();
        time.advanceTimeBy(Duration.ofSeconds(1));

        assertThat(written).singleElement().satisfies(record -> assertThat(record.status()).isEqualTo(502));
    }

    private static GatewayFilterChain answering(HttpStatus status) {
        return exchange -> Mono.fromRunnable(() -> exchange.getResponse().setStatusCode(status));
    }

    private static JsonRpcEnvelope single(String method) {
        return new JsonRpcEnvelope(false, List.of(call(method, null)));
    }

    private static JsonRpcCall call(String method, String invalid) {
        return new JsonRpcCall(method, JsonRpcId.NULL, false, 0, 0, invalid);
    }

    private static MockServerWebExchange exchange(JsonRpcEnvelope envelope, List<JsonRpcRefusal> refusals) {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/v1/anvil"));
        exchange.getAttributes().put(ExchangeAttributes.REQUEST_ID, "req-1");
        exchange.getAttributes().put(ExchangeAttributes.ENVELOPE, envelope);
        exchange.getAttributes().put(ExchangeAttributes.REFUSALS, refusals);
        exchange.getAttributes().put(ExchangeAttributes.KEY, new KeySnapshot(1, "key-1", "hash", "org-1", "plan-1",
                KeySnapshot.ACTIVE, null, 1, null));
        exchange.getAttributes().put(ExchangeAttributes.PLAN, new PlanSnapshot(1, "plan-1", "free", 1, 10, 10, 600, 0,
                100, 0, List.of(), List.of("standard")));
        exchange.getAttributes().put(ExchangeAttributes.CHAIN, new ChainCatalogue.Chain("anvil", ChainFamily.EVM,
                List.of(URI.create("http://127.0.0.1:8545"))));
        return exchange;
    }
}
