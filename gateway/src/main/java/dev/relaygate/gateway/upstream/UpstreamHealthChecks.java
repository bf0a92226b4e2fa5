package dev.relaygate.gateway.upstream;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.relaygate.gateway.routing.ChainFamily;
import dev.relaygate.gateway.routing.ChainProperties;

/**
 * Active health checks: every {@code health.interval}, asks each upstream of a chain for its head ({@code
 * eth_blockNumber} on EVM chains, {@code getSlot} on Solana) and records it on the {@link UpstreamNode}; a failed or
 * unreadable check takes the upstream out of the rotation until a check passes. The selector compares heads, so an
 * upstream more than {@code maxBlocksBehind} behind the best leaves the rotation and comes back once it catches up.
 * Checks count against an upstream's budget; a check the budget cannot afford is skipped. Only chains with two
 * upstreams or more are checked: with one, there is nowhere else to send a call. Runs on Reactor's timer and the
 * upstream client's event loops; never blocks.
 */
final class UpstreamHealthChecks implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UpstreamHealthChecks.class);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final UpstreamClient client;

    private final MethodCost cost;

    private final Disposable.Composite running = Disposables.composite();

    UpstreamHealthChecks(UpstreamClient client, MethodCost cost) {
        this.client = client;
        this.cost = cost;
    }

    /** The method that reports a node's head in {@code family}, or {@code null} when the family has none. */
    static String headMethod(ChainFamily family) {
        return switch (family) {
            case EVM -> "eth_blockNumber";
            case SOLANA -> "getSlot";
            case GENERIC -> null;
        };
    }

    void start(ChainProperties.Chain chain, List<UpstreamNode> nodes) {
        String method = headMethod(chain.family());
        if (method == null || nodes.size() < 2) {
            return;
        }
        byte[] body = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":[]}")
            .getBytes(StandardCharsets.UTF_8);
        long units = cost.cost(chain.family().tableName(), List.of(method));
        running.add(Flux.interval(java.time.Duration.ZERO, chain.health().interval())
            .onBackpressureDrop()
            .concatMap(tick -> Flux.fromIterable(nodes)
                .flatMap(node -> check(chain, node, body, units))
                .then())
            .subscribe());
    }

    private Mono<Void> check(ChainProperties.Chain chain, UpstreamNode node, byte[] body, long units) {
        if (!node.budget().tryTake(1, units)) {
            return Mono.empty();
        }
        return client.post(node.url(), body)
            .timeout(chain.health().timeout())
            .map(response -> response.status() / 100 == 2 ? head(response.body()) : -1L)
            .onErrorReturn(-1L)
            .doOnNext(head -> {
                if (head >= 0) {
                    node.head(head);
                }
                else {
                    if (!node.checkFailed()) {
                        log.warn("Upstream {} of {} failed its health check", node.name(), chain.id());
                    }
                    node.checkFailed(true);
                }
            })
            .then();
    }

    /** The head in a JSON-RPC answer: a hex quantity (EVM) or a number (Solana); -1 when there is none. */
    static long head(byte[] answer) {
        try {
            JsonNode result = JSON.readTree(answer).get("result");
            if (result == null) {
                return -1;
            }
            if (result.isNumber()) {
                return result.asLong();
            }
            String text = result.asString();
            return text.startsWith("0x") ? Long.parseUnsignedLong(text.substring(2), 16) : -1;
        }
        catch (RuntimeException unreadable) {
            return -1;
        }
    }

    @Override
    public void close() {
        running.dispose();
    }
}
