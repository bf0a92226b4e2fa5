package dev.relaygate.gateway.ratelimit;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import dev.relaygate.gateway.auth.KeySnapshot;
import dev.relaygate.gateway.auth.PlanSnapshot;
import dev.relaygate.gateway.jsonrpc.JsonRpcCall;
import dev.relaygate.gateway.jsonrpc.JsonRpcEnvelope;
import dev.relaygate.gateway.jsonrpc.JsonRpcErrorCode;
import dev.relaygate.gateway.jsonrpc.JsonRpcId;
import dev.relaygate.gateway.jsonrpc.JsonRpcReader;
import dev.relaygate.gateway.jsonrpc.JsonRpcRefusal;
import dev.relaygate.gateway.routing.ChainCatalogue;
import dev.relaygate.gateway.routing.ChainFamily;
import dev.relaygate.gateway.routing.ExchangeAttributes;

import static org.assertj.core.api.Assertions.assertThat;

/** How the rate-limit step turns the limiter's decisions into headers, 429s and JSON-RPC errors. */
class RateLimitFilterTest {

    private static final PlanSnapshot PLAN = new PlanSnapshot(1, "plan-1", "free", 7, 330, 660, 12000, 0, 100, 0,
            List.of(), List.of("standard"));

    private final AtomicLong pricedAt = new AtomicLong(-1);

    private final AtomicBoolean relayed = new AtomicBoolean();

    private final GatewayFilterChain relay = exchange -> Mono.fromRunnable(() -> relayed.set(true));

    @Test
    void anAdmittedRequestIsRelayedWithTheRateLimitHeaders() {
        RateLimitFilter filter = filter(new RateLimitDecision(true, 660, 650, 1, Duration.ZERO));
        MockServerWebExchange exchange = exchange("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\"}");

        StepVerifier.create(filter.filter(exchange, relay)).verifyComplete();

        assertThat(relayed).isTrue();
        assertThat(exchange.getResponse().getHeaders().getFirst("RateLimit-Limit")).isEqualTo("660");
        assertThat(exchange.getResponse().getHeaders().getFirst("RateLimit-Remaining")).isEqualTo("650");
        assertThat(exchange.getResponse().getHeaders().getFirst("RateLimit-Reset")).isEqualTo("1");
        assertThat(exchange.getResponse().getHeaders().getFirst("Retry-After")).isNull();
    }

    @Test
    void aRefusedRequestIsA429WithRetryAfterAndA32005CarryingTheDelay() {
        RateLimitFilter filter = filter(new RateLimitDecision(false, 660, 3, 2, Duration.ofMillis(1500)));
        MockServerWebExchange exchange = exchange("{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"eth_call\"}");

        StepVerifier.create(filter.filter(exchange, relay)).verifyComplete();

        assertThat(relayed).isFalse();
        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
        assertThat(exchange.getResponse().getHeaders().getFirst("Retry-After")).isEqualTo("2");
        assertThat(exchange.getResponse().getHeaders().getFirst("RateLimit-Remaining")).isEqualTo("3");
        assertThat(exchange.getResponse().getBodyAsString().block()).isEqualTo(
                "{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"error\":{\"code\":-32005,\"message\":\"rate limit exceeded\","
                        + "\"data\":{\"retryAfterSeconds\":2}}}");
    }

    @Test
    void aRefusedBatchGetsOneErrorWithANullId() {
        RateLimitFilter filter = filter(new RateLimitDecision(false, 660, 0, 2, Duration.ofSeconds(1)));
        MockServerWebExchange exchange = exchange("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_chainId\"}]");

        StepVerifier.create(filter.filter(exchange, relay)).verifyComplete();

        assertThat(exchange.getResponse().getBodyAsString().block())
            .startsWith("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32005");
    }

    @Test
    void aBatchCostsTheSumOfTheCallsThatWillBeRelayed() {
        RateLimitFilter filter = filter(new RateLimitDecision(true, 660, 600, 1, Duration.ZERO));
        MockServerWebExchange exchange = exchange("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_chainId\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"debug_traceBlockByNumber\"}]");
        refuse(exchange, 2);

        StepVerifier.create(filter.filter(exchange, relay)).verifyComplete();

        MethodWeights weights = MethodWeights.defaults();
        assertThat(pricedAt).hasValue(weights.cost("evm", "eth_blockNumber") + weights.cost("evm", "eth_chainId"));
    }

    @Test
    void aRequestWithNothingToRelayCostsNothing() {
        RateLimitFilter filter = filter(new RateLimitDecision(false, 660, 0, 2, Duration.ofSeconds(1)));
        MockServerWebExchange exchange = exchange("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"debug_traceBlock\"}]");
        refuse(exchange, 0);

        StepVerifier.create(filter.filter(exchange, relay)).verifyComplete();

        assertThat(pricedAt).hasValue(-1);
        assertThat(relayed).isTrue();
    }

    @Test
    void takesTheLimitsFromThePlan() {
        RateLimitPolicy policy = RateLimitFilter.policyOf(PLAN);

        assertThat(policy).isEqualTo(new RateLimitPolicy(330, 660, 12000, 7));
    }

    private RateLimitFilter filter(RateLimitDecision decision) {
        RateLimiter limiter = (organizationId, policy, cost) -> {
            assertThat(organizationId).isEqualTo("org-1");
            pricedAt.set(cost);
            return Mono.just(decision);
        };
        return new RateLimitFilter(limiter, MethodWeights.defaults());
    }

    private static void refuse(MockServerWebExchange exchange, int index) {
        JsonRpcEnvelope envelope = exchange.getRequiredAttribute(ExchangeAttributes.ENVELOPE);
        List<JsonRpcRefusal> refusals = exchange.getRequiredAttribute(ExchangeAttributes.REFUSALS);
        refusals.add(new JsonRpcRefusal(envelope.calls().get(index), JsonRpcErrorCode.METHOD_NOT_ALLOWED, "no"));
    }

    private static MockServerWebExchange exchange(String body) {
        JsonRpcReader.Result read = new JsonRpcReader(64, 100).read(body.getBytes(StandardCharsets.UTF_8));
        JsonRpcEnvelope envelope = ((JsonRpcReader.Read) read).envelope();
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/v1/anvil"));
        exchange.getAttributes().put(ExchangeAttributes.ENVELOPE, envelope);
        exchange.getAttributes().put(ExchangeAttributes.REFUSALS, new ArrayList<JsonRpcRefusal>());
        exchange.getAttributes().put(ExchangeAttributes.KEY, new KeySnapshot(1, "key-1", "hash", "org-1", "plan-1",
                KeySnapshot.ACTIVE, null, 1, null));
        exchange.getAttributes().put(ExchangeAttributes.PLAN, PLAN);
        exchange.getAttributes().put(ExchangeAttributes.CHAIN, new ChainCatalogue.Chain("anvil", ChainFamily.EVM,
                List.of(URI.create("http://127.0.0.1:8545"))));
        return exchange;
    }
}
