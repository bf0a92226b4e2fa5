package dev.relaygate.gateway.upstream;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.relaygate.gateway.jsonrpc.JsonRpcAnswers;
import dev.relaygate.gateway.routing.ChainFamily;
import dev.relaygate.gateway.routing.ChainProperties;

/**
 * The finalized head of each EVM chain, for the response cache: every {@code health.interval}, each upstream is asked
 * for {@code eth_getBlockByNumber("finalized", false)}; a node that does not know the tag (an error, or no block) is
 * asked for its head instead, and its head minus {@code relaygate.cache.confirmations} is taken. The chain's finalized
 * head is the lowest any upstream reported in a round (the most careful), and it never goes down: a finalized block
 * stays finalized. -1 until a first round has answered. Checks take from the upstream's budget like health checks.
 * Runs on Reactor's timer and the upstream client's event loops; never blocks.
 */
public final class FinalizedHeads implements AutoCloseable {

    /** Gauge of each chain's finalized head. */
    static final String FINALIZED_METRIC = "relaygate.cache.finalized";

    private static final Logger log = LoggerFactory.getLogger(FinalizedHeads.class);

    private static final byte[] FINALIZED_BLOCK = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBlockByNumber\","
            + "\"params\":[\"finalized\",false]}").getBytes(StandardCharsets.US_ASCII);

    private static final byte[] HEAD = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}"
        .getBytes(StandardCharsets.US_ASCII);

    private final ChainProperties chains;

    private final UpstreamRouter router;

    private final UpstreamClient client;

    private final MethodCost cost;

    private final long confirmations;

    private final Map<String, AtomicLong> heads;

    private final Disposable.Composite running = Disposables.composite();

    public FinalizedHeads(ChainProperties chains, UpstreamRouter router, UpstreamClient client, MethodCost cost,
            long confirmations, MeterRegistry meters) {
        this.chains = Objects.requireNonNull(chains);
        this.router = Objects.requireNonNull(router);
        this.client = Objects.requireNonNull(client);
        this.cost = Objects.requireNonNull(cost);
        this.confirmations = confirmations;
        Map<String, AtomicLong> byChain = new HashMap<>();
        for (ChainProperties.Chain chain : chains.chains()) {
            if (chain.family() == ChainFamily.EVM) {
                AtomicLong head = new AtomicLong(-1);
                byChain.put(chain.id(), head);
                Gauge.builder(FINALIZED_METRIC, head, AtomicLong::get).tag("chain", chain.id()).register(meters);
            }
        }
        this.heads = Map.copyOf(byChain);
    }

    /** The finalized head of chain {@code chainId}, or -1 when unknown (not an EVM chain, or no answer yet). */
    public long of(String chainId) {
        AtomicLong head = heads.get(chainId);
        return head == null ? -1 : head.get();
    }

    /** Starts asking the upstreams of every EVM chain. */
    public void start() {
        for (ChainProperties.Chain chain : chains.chains()) {
            if (chain.family() != ChainFamily.EVM) {
                continue;
            }
            List<UpstreamNode> nodes = router.nodes(chain.id());
            AtomicLong head = heads.get(chain.id());
            String family = chain.family().tableName();
            long units = cost.cost(family, List.of("eth_getBlockByNumber"));
            long headUnits = cost.cost(family, List.of("eth_blockNumber"));
            running.add(Flux.interval(java.time.Duration.ZERO, chain.health().interval())
                .onBackpressureDrop()
                .concatMap(tick -> Flux.fromIterable(nodes)
                    .flatMap(node -> finalizedOf(chain, node, units, headUnits))
                    .reduce(Math::min)
                    .doOnNext(lowest -> raise(chain, head, lowest)))
                .subscribe());
        }
    }

    private void raise(ChainProperties.Chain chain, AtomicLong head, long reported) {
        long before = head.getAndAccumulate(reported, Math::max);
        if (before < 0 && reported >= 0) {
            log.info("Finalized head of {} known: {}", chain.id(), reported);
        }
    }

    /** The node's finalized block, else its head minus the confirmations; empty when it answered neither. */
    private Mono<Long> finalizedOf(ChainProperties.Chain chain, UpstreamNode node, long units, long headUnits) {
        if (!node.budget().tryTake(1, units)) {
            return Mono.empty();
        }
        return ask(chain, node, FINALIZED_BLOCK, "number")
            .switchIfEmpty(Mono.defer(() -> node.budget().tryTake(1, headUnits)
                    ? ask(chain, node, HEAD, null).map(nodeHead -> nodeHead - confirmations).filter(block -> block >= 0)
                    : Mono.empty()));
    }

    /** The number the node answers: the result itself, or its {@code member} (a block's number); empty otherwise. */
    private Mono<Long> ask(ChainProperties.Chain chain, UpstreamNode node, byte[] body, String member) {
        return client.post(node.url(), body, chain.health().timeout())
            .flatMap(response -> {
                long number = response.status() / 100 == 2 ? number(response.body(), member) : -1;
                return number >= 0 ? Mono.just(number) : Mono.<Long>empty();
            })
            .onErrorResume(failure -> Mono.empty());
    }

    /** The quantity in a single answer's result (or in the result's {@code member}), or -1. */
    static long number(byte[] answer, String member) {
        List<JsonRpcAnswers.Element> elements = JsonRpcAnswers.elements(answer);
        if (elements == null || elements.size() != 1 || !elements.get(0).succeeded()) {
            return -1;
        }
        byte[] result = JsonRpcAnswers.resultOf(answer, elements.get(0));
        if (member != null) {
            return CacheRules.memberNumber(result, member);
        }
        return result.length > 2 && result[0] == '"' && result[result.length - 1] == '"'
                ? CacheRules.quantity(new String(result, 1, result.length - 2, StandardCharsets.US_ASCII)) : -1;
    }

    @Override
    public void close() {
        running.dispose();
    }
}
