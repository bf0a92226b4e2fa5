package dev.relaygate.gateway.upstream;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.util.unit.DataSize;
import reactor.test.StepVerifier;

import dev.relaygate.gateway.config.RedisDeployment;
import dev.relaygate.gateway.config.RedisMode;
import dev.relaygate.gateway.jsonrpc.JsonRpcCall;
import dev.relaygate.gateway.jsonrpc.JsonRpcReader;
import dev.relaygate.gateway.routing.ChainProperties;
import dev.relaygate.gateway.testsupport.FreePorts;
import dev.relaygate.gateway.testsupport.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the response cache keeps, specified as a table: a call, what its upstream answered, and whether the next
 * identical call is answered from the cache, with the chain's finalized head at block 100 (0x64). Over a real Redis:
 * a cached result is also found by a second gateway whose memory is empty.
 */
class ResponseCacheIT {

    private static final long FINALIZED = 100;

    private static final String ERROR = "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,\"message\":\"boom\"}}";

    private static final ClientResources RESOURCES = DefaultClientResources.create();

    private static final RedisDeployment DEPLOYMENT = RedisDeployment.create(TestRedis.url(), RedisMode.STANDALONE,
            Duration.ofSeconds(10), RESOURCES, ClientOptions.create());

    private static final RedisClient REDIS = RedisClient.create(TestRedis.url());

    private static final RedisCommands<String, String> COMMANDS = REDIS.connect().sync();

    private static final AtomicInteger CHAINS = new AtomicInteger();

    private static final JsonRpcReader READER = new JsonRpcReader(64, 100);

    @AfterAll
    static void closeRedis() {
        REDIS.shutdown();
        DEPLOYMENT.shutdown();
        RESOURCES.shutdown();
    }

    @ParameterizedTest(name = "{0} {1} answered {2}: cached {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            eth_chainId                             | []                            | "0x1"                                      | true
            eth_chainId                             | -                             | "0x1"                                      | true
            net_version                             | []                            | "1"                                        | true
            eth_chainId                             | []                            | error                                      | false
            eth_chainId                             | []                            | null                                       | false
            eth_blockNumber                         | []                            | "0x65"                                     | false
            eth_gasPrice                            | []                            | "0x3b9aca00"                               | false
            eth_getBlockByNumber                    | ["0x10",false]                | {"number":"0x10","hash":"0xb10"}           | true
            eth_getBlockByNumber                    | ["0x64",true]                 | {"number":"0x64","hash":"0xb64"}           | true
            eth_getBlockByNumber                    | ["0x65",false]                | {"number":"0x65","hash":"0xb65"}           | false
            eth_getBlockByNumber                    | ["latest",false]              | {"number":"0x10","hash":"0xb10"}           | false
            eth_getBlockByNumber                    | ["pending",false]             | {"number":"0x10","hash":"0xb10"}           | false
            eth_getBlockByNumber                    | ["safe",false]                | {"number":"0x10","hash":"0xb10"}           | false
            eth_getBlockByNumber                    | ["finalized",false]           | {"number":"0x10","hash":"0xb10"}           | false
            eth_getBlockByNumber                    | ["earliest",false]            | {"number":"0x0","hash":"0xb0"}             | false
            eth_getBlockByNumber                    | ["0x11",false]                | null                                       | false
            eth_getBlockByNumber                    | ["0x12",false]                | error                                      | false
            eth_getBlockByNumber                    | ["0xffffffffffffffffff",false]| null                                       | false
            eth_getBlockReceipts                    | ["0x10"]                      | []                                         | true
            eth_getBlockReceipts                    | ["0x70"]                      | []                                         | false
            eth_getBlockReceipts                    | ["0xb10"]                     | []                                         | false
            eth_getBlockTransactionCountByNumber    | ["0x10"]                      | "0x2"                                      | true
            eth_getTransactionByBlockNumberAndIndex | ["0x10","0x0"]                | {"blockNumber":"0x10","hash":"0xt1"}       | true
            eth_getTransactionByBlockNumberAndIndex | ["0x10","0x9"]                | null                                       | false
            eth_getUncleCountByBlockNumber          | ["0x10"]                      | "0x0"                                      | true
            eth_getTransactionReceipt               | ["0xa1"]                      | {"blockNumber":"0x10","status":"0x1"}      | true
            eth_getTransactionReceipt               | ["0xa2"]                      | {"blockNumber":"0x64","status":"0x1"}      | true
            eth_getTransactionReceipt               | ["0xa3"]                      | {"blockNumber":"0x65","status":"0x1"}      | false
            eth_getTransactionReceipt               | ["0xa4"]                      | null                                       | false
            eth_getTransactionReceipt               | ["0xa5"]                      | error                                      | false
            eth_getTransactionReceipt               | ["0xa6"]                      | {"status":"0x1"}                           | false
            eth_getTransactionByHash                | ["0xa7"]                      | {"blockNumber":null,"hash":"0xa7"}         | false
            eth_getTransactionByHash                | ["0xa8"]                      | {"blockNumber":"0x5","hash":"0xa8"}        | true
            eth_getTransactionByBlockHashAndIndex   | ["0xb10","0x0"]               | {"blockNumber":"0x10","hash":"0xt1"}       | true
            eth_getBlockByHash                      | ["0xb10",false]               | {"number":"0x10","hash":"0xb10"}           | true
            eth_getBlockByHash                      | ["0xb99",false]               | {"number":"0x99","hash":"0xb99"}           | false
            eth_getBlockByHash                      | ["0xbad",false]               | null                                       | false
            eth_getBalance                          | ["0xabc","0x10"]              | "0x1"                                      | false
            eth_getCode                             | ["0xabc","0x10"]              | "0x"                                       | false
            eth_call                                | [{"to":"0xabc"},"0x10"]       | "0x"                                       | false
            eth_getLogs                             | [{"fromBlock":"0x1","toBlock":"0x2"}] | []                                 | false
            eth_sendRawTransaction                  | ["0x02f8"]                    | "0xa9"                                     | false
            """)
    void cachesOnlyWhatCannotChange(String method, String params, String answered, boolean cached) {
        String chain = newChain();
        byte[] body = call(method, params);
        byte[] answer = "error".equals(answered) ? ERROR.getBytes(StandardCharsets.UTF_8)
                : ("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + answered + "}").getBytes(StandardCharsets.UTF_8);
        List<JsonRpcCall> calls = calls(body);
        ResponseCache cache = cache(chain, FINALIZED);

        ResponseCache.Lookup first = cache.lookup(chain, body, false, calls).block();
        assertThat(first.hits()).isZero();
        cache.store(first, calls, answer);
        ResponseCache.Lookup second = cache.lookup(chain, body, false, calls).block();

        assertThat(second.complete()).as("answered from memory").isEqualTo(cached);
        if (cached) {
            assertThat(new String(second.results()[0], StandardCharsets.UTF_8)).isEqualTo(answered);
            // Another gateway, memory empty, finds it in Redis.
            ResponseCache other = cache(chain, FINALIZED);
            await().atMost(Duration.ofSeconds(10)).until(() -> other.lookup(chain, body, false, calls).block().complete());
        }
        else {
            assertThat(COMMANDS.keys(ResponseCache.KEY_PREFIX + chain + ":*")).as("Redis keys").isEmpty();
        }
    }

    @Test
    void beforeTheFinalizedHeadIsKnownOnlyTheChainsConstantsAreCached() {
        String chain = newChain();
        ResponseCache cache = cache(chain, -1);
        byte[] chainId = call("eth_chainId", "[]");
        byte[] receipt = call("eth_getTransactionReceipt", "[\"0xa1\"]");
        byte[] block = call("eth_getBlockByNumber", "[\"0x0\",false]");

        assertThat(storedThenFound(cache, chain, chainId, "\"0x1\"")).isTrue();
        assertThat(storedThenFound(cache, chain, receipt, "{\"blockNumber\":\"0x0\"}")).isFalse();
        assertThat(storedThenFound(cache, chain, block, "{\"number\":\"0x0\"}")).isFalse();
    }

    @Test
    void theRedisKeyNamesTheChainTheMethodAndTheParamsAsSentAndExpires() {
        String chain = newChain();
        ResponseCache cache = cache(chain, FINALIZED);
        byte[] body = call("eth_getBlockByNumber", "[\"0x10\", false]");

        assertThat(storedThenFound(cache, chain, body, "{\"number\":\"0x10\"}")).isTrue();

        String key = "rg:cache:" + chain + ":eth_getBlockByNumber:[\"0x10\", false]";
        await().atMost(Duration.ofSeconds(10)).until(() -> COMMANDS.exists(key) == 1);
        assertThat(COMMANDS.pttl(key)).isBetween(1L, Duration.ofHours(24).toMillis());
        // Different bytes, a different entry: nothing is canonicalised that could not be proven equal.
        assertThat(cache.lookup(chain, call("eth_getBlockByNumber", "[\"0x10\",false]"), false,
                calls(call("eth_getBlockByNumber", "[\"0x10\",false]"))).block().hits()).isZero();
    }

    @Test
    void aBatchIsLookedUpCallByCallAndOnlyItsMissesAreStored() {
        String chain = newChain();
        ResponseCache cache = cache(chain, FINALIZED);
        byte[] chainId = call("eth_chainId", "[]");
        storedThenFound(cache, chain, chainId, "\"0x1\"");
        byte[] batch = ("[{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"eth_chainId\",\"params\":[]},"
                + "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_getTransactionReceipt\",\"params\":[\"0xa1\"]},"
                + "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"eth_blockNumber\",\"params\":[]}]")
            .getBytes(StandardCharsets.UTF_8);
        List<JsonRpcCall> calls = calls(batch);

        ResponseCache.Lookup lookup = cache.lookup(chain, batch, true, calls).block();
        assertThat(lookup.hits()).isEqualTo(1);
        assertThat(lookup.misses(calls)).extracting(JsonRpcCall::method)
            .containsExactly("eth_getTransactionReceipt", "eth_blockNumber");
        // The node answers in its own order.
        cache.store(lookup, calls, ("[{\"jsonrpc\":\"2.0\",\"id\":8,\"result\":\"0x99\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"blockNumber\":\"0x10\"}}]").getBytes(StandardCharsets.UTF_8));

        ResponseCache.Lookup again = cache.lookup(chain, batch, true, calls).block();
        assertThat(again.hits()).isEqualTo(2);
        assertThat(new String(again.results()[1], StandardCharsets.UTF_8)).isEqualTo("{\"blockNumber\":\"0x10\"}");
        assertThat(again.results()[2]).isNull();
    }

    @Test
    void withRedisUnreachableTheCacheAnswersFromMemoryAndNeverFails() throws Exception {
        RedisDeployment absent = RedisDeployment.create("redis://127.0.0.1:" + FreePorts.loopback(),
                RedisMode.STANDALONE, Duration.ofMillis(200), RESOURCES, ClientOptions.create());
        try {
            String chain = newChain();
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            ResponseCache cache = new ResponseCache(properties(), chains(chain), id -> FINALIZED, absent, meters);
            byte[] body = call("eth_chainId", "[]");
            List<JsonRpcCall> calls = calls(body);

            StepVerifier.create(cache.lookup(chain, body, false, calls))
                .assertNext(lookup -> assertThat(lookup.hits()).isZero())
                .verifyComplete();
            cache.store(cache.lookup(chain, body, false, calls).block(), calls,
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}".getBytes(StandardCharsets.UTF_8));

            assertThat(cache.lookup(chain, body, false, calls).block().complete()).isTrue();
            assertThat(meters.counter(ResponseCache.REDIS_FAILURES_METRIC, "operation", "get").count()).isPositive();
            assertThat(meters.counter(ResponseCache.LOOKUPS_METRIC, "chain", chain, "result", "hit").count()).isOne();
            assertThat(meters.counter(ResponseCache.LOOKUPS_METRIC, "chain", chain, "result", "miss").count())
                .isEqualTo(2);
        }
        finally {
            absent.shutdown();
        }
    }

    private static boolean storedThenFound(ResponseCache cache, String chain, byte[] body, String result) {
        List<JsonRpcCall> calls = calls(body);
        ResponseCache.Lookup lookup = cache.lookup(chain, body, false, calls).block();
        cache.store(lookup, calls, ("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + result + "}")
            .getBytes(StandardCharsets.UTF_8));
        return cache.lookup(chain, body, false, calls).block().complete();
    }

    private static ResponseCache cache(String chain, long finalized) {
        return new ResponseCache(properties(), chains(chain), id -> id.equals(chain) ? finalized : -1,
                DEPLOYMENT, new SimpleMeterRegistry());
    }

    private static ResponseCacheProperties properties() {
        return new ResponseCacheProperties(true, DataSize.ofMegabytes(1), Duration.ofHours(24), 64, List.of());
    }

    private static ChainProperties chains(String chain) {
        return new ChainProperties(List.of(Upstreams.chain(chain, List.of(Upstreams.upstream("http://127.0.0.1:1")),
                Upstreams.retry(Duration.ofSeconds(30), 3, Duration.ofSeconds(10)), Upstreams.noHedging())));
    }

    /** A chain of its own for each case: Redis outlives a test, and may be shared with other runs. */
    private static String newChain() {
        return "rules-" + CHAINS.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static byte[] call(String method, String params) {
        String text = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\""
                + ("-".equals(params) ? "" : ",\"params\":" + params) + "}";
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static List<JsonRpcCall> calls(byte[] body) {
        return ((JsonRpcReader.Read) READER.read(body)).envelope().calls();
    }
}
