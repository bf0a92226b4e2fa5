package dev.relaygate.gateway.upstream;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.lettuce.core.KeyValue;
import io.lettuce.core.SetArgs;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import dev.relaygate.gateway.config.RedisDeployment;
import dev.relaygate.gateway.config.RedisLink;
import dev.relaygate.gateway.jsonrpc.JsonRpcAnswers;
import dev.relaygate.gateway.jsonrpc.JsonRpcCall;
import dev.relaygate.gateway.jsonrpc.JsonRpcReader;
import dev.relaygate.gateway.routing.ChainCatalogue;
import dev.relaygate.gateway.routing.ChainFamily;
import dev.relaygate.gateway.routing.ChainProperties;

/**
 * The finality-aware response cache (issue #17): the results of calls that cannot change ({@link CacheRules}), in a
 * bounded in-memory front and in Redis under {@code rg:cache:{chain}:{method}:{params}} with a time to live. Only the
 * {@code result} bytes are kept; the hot path answers a hit with the caller's own id. A call that is not cacheable
 * costs one switch on its method name ({@link #mayAnswer}); Redis is asked only for cacheable calls the front does not
 * hold, with one {@code MGET} per request. Redis failing makes the cache answer "miss" (and skip Redis for a second),
 * never fail the call.
 */
public final class ResponseCache implements AutoCloseable {

    /** Redis key prefix, followed by {@code {chain}:{method}:{params as sent}}. */
    public static final String KEY_PREFIX = "rg:cache:";

    /** Lookups of cacheable calls by chain and result ({@code hit}, {@code miss}): the hit ratio. */
    static final String LOOKUPS_METRIC = "relaygate.cache.lookups";

    /** Redis commands of the cache that failed, by operation ({@code get}, {@code set}). */
    static final String REDIS_FAILURES_METRIC = "relaygate.cache.redis.failures";

    /** Larger results are not cached: a block's receipts can be megabytes, and a Redis command must stay short. */
    static final int MAX_RESULT_BYTES = 1024 * 1024;

    /** Skip Redis this long after one of its commands failed. */
    private static final long REDIS_BACK_OFF_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Per-entry cost of the front beyond its key and result bytes (entry, strings, array headers). */
    private static final int ENTRY_OVERHEAD = 96;

    private static final Logger log = LoggerFactory.getLogger(ResponseCache.class);

    private final boolean enabled;

    private final ToLongFunction<String> finalized;

    private final Set<String> disabledMethods;

    private final SetArgs expiry;

    private final Cache<String, byte[]> front;

    private final Mono<RedisLink<byte[]>> connection;

    private final LongSupplier nanoTime;

    private final Map<String, Counter> hits;

    private final Map<String, Counter> misses;

    private final Counter getFailures;

    private final Counter setFailures;

    private volatile long redisSkippedUntil;

    private volatile boolean redisSkipping;

    /**
     * @param finalized the finalized head of a chain by id, -1 when unknown ({@link FinalizedHeads#of})
     * @param redis the client whose options (timeouts, reconnection) the cache's own connection takes
     */
    public ResponseCache(ResponseCacheProperties properties, ChainProperties chains, ToLongFunction<String> finalized,
            RedisDeployment redis, MeterRegistry meters) {
        this(properties, chains, finalized, redis, meters, System::nanoTime);
    }

    ResponseCache(ResponseCacheProperties properties, ChainProperties chains, ToLongFunction<String> finalized,
            RedisDeployment redis, MeterRegistry meters, LongSupplier nanoTime) {
        this.enabled = properties.enabled();
        this.finalized = Objects.requireNonNull(finalized);
        this.disabledMethods = Set.copyOf(properties.disabledMethods());
        this.expiry = SetArgs.Builder.px(properties.timeToLive().toMillis());
        this.nanoTime = nanoTime;
        this.front = Caffeine.newBuilder()
            .executor(Runnable::run)
            .maximumWeight(properties.frontMaxSize().toBytes())
            .weigher((String key, byte[] result) -> key.length() + result.length + ENTRY_OVERHEAD)
            .expireAfterWrite(properties.timeToLive())
            .recordStats()
            .build();
        CaffeineCacheMetrics.monitor(meters, front, "relaygate.responses");
        RedisCodec<String, byte[]> codec = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
        this.connection = Mono.fromCompletionStage(() -> redis.connectAsync(codec))
            .cache(connected -> java.time.Duration.ofMillis(Long.MAX_VALUE), failed -> java.time.Duration.ZERO,
                    () -> java.time.Duration.ZERO);
        Map<String, Counter> hitCounters = new HashMap<>();
        Map<String, Counter> missCounters = new HashMap<>();
        for (ChainProperties.Chain chain : chains.chains()) {
            hitCounters.put(chain.id(), meters.counter(LOOKUPS_METRIC, "chain", chain.id(), "result", "hit"));
            missCounters.put(chain.id(), meters.counter(LOOKUPS_METRIC, "chain", chain.id(), "result", "miss"));
        }
        this.hits = Map.copyOf(hitCounters);
        this.misses = Map.copyOf(missCounters);
        this.getFailures = meters.counter(REDIS_FAILURES_METRIC, "operation", "get");
        this.setFailures = meters.counter(REDIS_FAILURES_METRIC, "operation", "set");
    }

    /**
     * Whether the cache may answer one of {@code calls} on {@code chain}: for each call, one switch on its method name.
     * When this is false the cache costs nothing more.
     */
    public boolean mayAnswer(ChainCatalogue.Chain chain, List<JsonRpcCall> calls) {
        if (!enabled || chain.family() != ChainFamily.EVM) {
            return false;
        }
        for (int i = 0; i < calls.size(); i++) {
            JsonRpcCall call = calls.get(i);
            if (!call.notification() && call.method() != null && CacheRules.of(call.method()) != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * Looks {@code calls} up (the calls of one request, read from {@code body}): the front first, then Redis for the
     * cacheable calls the front lacks, in one command. Never errors.
     */
    public Mono<Lookup> lookup(String chainId, byte[] body, boolean batch, List<JsonRpcCall> calls) {
        long head = finalized.applyAsLong(chainId);
        Lookup lookup = new Lookup(chainId, batch, calls.size());
        List<String> absent = null;
        for (int i = 0; i < calls.size(); i++) {
            JsonRpcCall call = calls.get(i);
            if (call.notification() || call.method() == null) {
                continue;
            }
            CacheRules.Rule rule = CacheRules.of(call.method());
            if (rule == null || disabledMethods.contains(call.method())) {
                continue;
            }
            byte[] params = JsonRpcReader.paramsOf(body, call);
            if (!CacheRules.requestCacheable(rule, params, head)) {
                continue;
            }
            String key = key(chainId, call.method(), params);
            lookup.keys[i] = key;
            lookup.rules[i] = rule;
            lookup.results[i] = front.getIfPresent(key);
            if (lookup.results[i] == null) {
                if (absent == null) {
                    absent = new ArrayList<>(calls.size());
                }
                absent.add(key);
            }
        }
        if (absent == null || redisSkipped()) {
            return Mono.just(counted(lookup));
        }
        String[] keys = absent.toArray(new String[0]);
        // On a Redis Cluster the keys of a batch lie in several slots; Lettuce's cluster MGET asks each slot's master
        // for its part and answers in the order asked, so the lookup is the same (one command per slot involved).
        return connection
            .flatMap(redis -> redis.reactive().mget(keys).collectList())
            .map(values -> {
                for (KeyValue<String, byte[]> value : values) {
                    if (value.hasValue()) {
                        front.put(value.getKey(), value.getValue());
                        lookup.fill(value.getKey(), value.getValue());
                    }
                }
                return counted(lookup);
            })
            .onErrorResume(failure -> {
                redisFailed(getFailures, failure);
                return Mono.just(counted(lookup));
            });
    }

    /**
     * Stores the results of {@code lookup}'s misses found in {@code answer}, the upstream's answer to them (a 2xx),
     * that {@link CacheRules} allows: success answers only, never {@code null}, never an error. Off the request's
     * path: Redis is written to without waiting.
     */
    public void store(Lookup lookup, List<JsonRpcCall> calls, byte[] answer) {
        if (!lookup.anyMiss()) {
            return;
        }
        List<JsonRpcAnswers.Element> elements = JsonRpcAnswers.elements(answer);
        if (elements == null || (!lookup.batch && elements.size() != 1)) {
            return;
        }
        long head = finalized.applyAsLong(lookup.chainId);
        boolean[] used = new boolean[elements.size()];
        for (int i = 0; i < calls.size(); i++) {
            if (lookup.keys[i] == null || lookup.results[i] != null) {
                continue;
            }
            JsonRpcAnswers.Element element = lookup.batch ? take(elements, used, calls.get(i)) : elements.get(0);
            if (element == null || !element.succeeded()
                    || element.resultEnd() - element.resultStart() > MAX_RESULT_BYTES) {
                continue;
            }
            byte[] result = JsonRpcAnswers.resultOf(answer, element);
            if (CacheRules.resultCacheable(lookup.rules[i], result, head)) {
                put(lookup.keys[i], result);
            }
        }
    }

    private void put(String key, byte[] result) {
        front.put(key, result);
        if (redisSkipped()) {
            return;
        }
        connection.flatMap(redis -> redis.reactive().set(key, result, expiry))
            .subscribe(ok -> { }, failure -> redisFailed(setFailures, failure));
    }

    private static JsonRpcAnswers.Element take(List<JsonRpcAnswers.Element> elements, boolean[] used,
            JsonRpcCall call) {
        String id = JsonRpcAnswers.idKey(call.id());
        for (int j = 0; j < elements.size(); j++) {
            if (!used[j] && id.equals(elements.get(j).idKey())) {
                used[j] = true;
                return elements.get(j);
            }
        }
        return null;
    }

    private Lookup counted(Lookup lookup) {
        Counter hit = hits.get(lookup.chainId);
        Counter miss = misses.get(lookup.chainId);
        for (int i = 0; i < lookup.keys.length; i++) {
            if (lookup.keys[i] != null) {
                (lookup.results[i] != null ? hit : miss).increment();
            }
        }
        return lookup;
    }

    private boolean redisSkipped() {
        return redisSkipping && nanoTime.getAsLong() - redisSkippedUntil < 0;
    }

    private void redisFailed(Counter failures, Throwable failure) {
        failures.increment();
        redisSkippedUntil = nanoTime.getAsLong() + REDIS_BACK_OFF_NANOS;
        if (!redisSkipping) {
            log.warn("Response cache: Redis failed ({}); answering from memory only for a while", failure.toString());
        }
        redisSkipping = true;
    }

    /** {@code rg:cache:{chain}:{method}:{params exactly as sent}}; empty params when the call has none. */
    static String key(String chainId, String method, byte[] params) {
        return KEY_PREFIX + chainId + ':' + method + ':'
                + (params == null ? "" : new String(params, StandardCharsets.UTF_8));
    }

    /** Drops the in-memory front (tests, and operators through a restart). */
    void clearFront() {
        front.invalidateAll();
    }

    @Override
    public void close() {
        connection.subscribe(RedisLink::closeAsync, failure -> { });
    }

    /**
     * What the cache holds for the calls of one request, by position: the key of each cacheable call ({@code null}
     * for the others) and its cached result ({@code null} for a miss).
     */
    public static final class Lookup {

        private final String chainId;

        private final boolean batch;

        private final String[] keys;

        private final CacheRules.Rule[] rules;

        private final byte[][] results;

        Lookup(String chainId, boolean batch, int calls) {
            this.chainId = chainId;
            this.batch = batch;
            this.keys = new String[calls];
            this.rules = new CacheRules.Rule[calls];
            this.results = new byte[calls][];
        }

        private void fill(String key, byte[] result) {
            for (int i = 0; i < keys.length; i++) {
                if (key.equals(keys[i]) && results[i] == null) {
                    results[i] = result;
                }
            }
        }

        /** The cached result of each call, {@code null} for the calls to relay; do not modify. */
        public byte[][] results() {
            return results;
        }

        /** How many calls the cache answers. */
        public int hits() {
            int hits = 0;
            for (byte[] result : results) {
                if (result != null) {
                    hits++;
                }
            }
            return hits;
        }

        /** Whether a call of the request is cacheable at all (a hit, or a miss whose answer may be stored). */
        public boolean cacheable() {
            for (String key : keys) {
                if (key != null) {
                    return true;
                }
            }
            return false;
        }

        /** Whether every call is answered from the cache. */
        public boolean complete() {
            return hits() == results.length;
        }

        /** Whether a cacheable call is to be relayed (and its answer may be stored). */
        boolean anyMiss() {
            for (int i = 0; i < keys.length; i++) {
                if (keys[i] != null && results[i] == null) {
                    return true;
                }
            }
            return false;
        }

        /** The calls of {@code calls} the cache does not answer, in order. */
        public List<JsonRpcCall> misses(List<JsonRpcCall> calls) {
            List<JsonRpcCall> relayed = new ArrayList<>(calls.size());
            for (int i = 0; i < calls.size(); i++) {
                if (results[i] == null) {
                    relayed.add(calls.get(i));
                }
            }
            return relayed;
        }
    }
}
