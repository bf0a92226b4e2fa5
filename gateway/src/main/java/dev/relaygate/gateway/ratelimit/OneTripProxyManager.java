package dev.relaygate.gateway.ratelimit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ClientSideConfig;
import io.github.bucket4j.distributed.proxy.generic.compare_and_swap.AbstractCompareAndSwapBasedProxyManager;
import io.github.bucket4j.distributed.proxy.generic.compare_and_swap.AsyncCompareAndSwapOperation;
import io.github.bucket4j.distributed.proxy.generic.compare_and_swap.CompareAndSwapOperation;
import io.github.bucket4j.distributed.remote.RemoteBucketState;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

/**
 * A bucket4j compare-and-swap proxy manager over Lettuce that spends <b>one</b> Redis round trip per uncontended
 * check, where bucket4j's own Lettuce backend spends two ({@code GET}, then a CAS script).
 *
 * <p>It remembers the state bytes it last wrote or read for each bucket and computes the next state from them
 * without asking Redis; a single script then swaps in the new state if Redis still holds exactly those bytes. If
 * another instance (or an expiry) changed the bucket meanwhile, the script answers with what Redis holds, and
 * bucket4j's retry recomputes from that, again without a {@code GET}. A bucket this instance has never seen is
 * assumed absent (set-if-absent), which is right for every new bucket and costs one extra trip otherwise.
 * Correctness is bucket4j's own: a state is written only over the exact state it was computed from.
 *
 * <p>Async only: the gateway never blocks a thread on Redis.
 */
final class OneTripProxyManager extends AbstractCompareAndSwapBasedProxyManager<String> {

    /**
     * KEYS[1] bucket, KEYS[2..] quota counters; ARGV[1] expected state ("" = absent), ARGV[2] new state, ARGV[3]
     * time to live in ms (0 = none), then for counter j (KEYS[j + 1]) ARGV[2 + 2j] the units to add and
     * ARGV[3 + 2j] its expiry (unix seconds, set when the counter is created). Answers {1, "", totals...} when
     * swapped, else {0, current state or "", totals...}. The counters are added to whether or not the swap
     * succeeds: they count admitted units, which the swap does not decide. On a Redis Cluster every key a script
     * touches must lie in one slot: the counters it carries are its organization's, and the organization's hash tag
     * puts them in its bucket's slot ({@link RateLimitKeys}).
     */
    private static final String SWAP = """
        local answer = {0, ''}
        for j = 1, #KEYS - 1 do
          local increment = tonumber(ARGV[2 + 2 * j])
          local total = redis.call('incrby', KEYS[j + 1], increment)
          if total == increment then
            redis.call('expireat', KEYS[j + 1], ARGV[3 + 2 * j])
          end
          answer[j + 2] = total
        end
        local current = redis.call('get', KEYS[1])
        if (current == false and ARGV[1] == '') or current == ARGV[1] then
          if tonumber(ARGV[3]) > 0 then
            redis.call('set', KEYS[1], ARGV[2], 'px', ARGV[3])
          else
            redis.call('set', KEYS[1], ARGV[2])
          end
          answer[1] = 1
        elseif current ~= false then
          answer[2] = current
        end
        return answer
        """;

    /** The script's SHA-1, by which it is called ({@code EVALSHA}) so that its text is not sent with every check. */
    static final String SWAP_SHA = sha1Hex(SWAP);

    private static final byte[] ABSENT = new byte[0];

    private final Supplier<RedisClusterAsyncCommands<String, byte[]>> commands;
    /** The quota counters a bucket's sync carries, or null; looked up per swap, not per request. */
    private final Function<String, QuotaTally> tallies;
    private final ExpirationAfterWriteStrategy expiration;
    /** Last state seen in Redis per bucket; {@link #ABSENT} when Redis held none. */
    private final Cache<String, byte[]> lastSeen;

    /** @param commands Redis commands; may throw while no connection is available (the check then fails) */
    OneTripProxyManager(Supplier<RedisClusterAsyncCommands<String, byte[]>> commands, Function<String, QuotaTally> tallies,
                        TimeMeter clock, ExpirationAfterWriteStrategy expiration, long maxBuckets, Duration idleExpiry) {
        super(ClientSideConfig.getDefault().withClientClock(clock).withExpirationAfterWriteStrategy(expiration));
        this.commands = Objects.requireNonNull(commands, "commands");
        this.tallies = Objects.requireNonNull(tallies, "tallies");
        this.expiration = expiration;
        this.lastSeen = Caffeine.newBuilder().executor(Runnable::run).maximumSize(maxBuckets).expireAfterAccess(idleExpiry).build();
    }

    @Override
    protected AsyncCompareAndSwapOperation beginAsyncCompareAndSwapOperation(String key) {
        return new AsyncCompareAndSwapOperation() {
            @Override
            public CompletableFuture<Optional<byte[]>> getStateData(Optional<Long> timeoutNanos) {
                byte[] known = lastSeen.getIfPresent(key);
                return CompletableFuture.completedFuture(
                    known == null || known.length == 0 ? Optional.empty() : Optional.of(known));
            }

            @Override
            public CompletableFuture<Boolean> compareAndSwap(byte[] originalData, byte[] newData,
                                                             RemoteBucketState newState, Optional<Long> timeoutNanos) {
                return swap(key, originalData, newData, newState);
            }
        };
    }

    private CompletableFuture<Boolean> swap(String key, byte[] expected, byte[] replacement, RemoteBucketState state) {
        long ttlMillis = expiration.calculateTimeToLiveMillis(state, currentTimeNanos());
        QuotaTally tally = tallies.apply(key);
        QuotaTally.Carried carried = tally == null ? null : tally.take();
        int counters = carried == null ? 0 : carried.taken().length;
        String[] keys = new String[1 + counters];
        byte[][] arguments = new byte[3 + 2 * counters][];
        keys[0] = key;
        arguments[0] = expected == null ? ABSENT : expected;
        arguments[1] = replacement;
        arguments[2] = ascii(Math.max(0, ttlMillis));
        for (int j = 0; j < counters; j++) {
            QuotaCounter counter = carried.counters().get(j);
            keys[1 + j] = counter.name;
            arguments[3 + 2 * j] = ascii(carried.taken()[j]);
            arguments[4 + 2 * j] = ascii(counter.period.expireAtSeconds());
        }
        RedisClusterAsyncCommands<String, byte[]> redis;
        try {
            redis = commands.get();
        }
        catch (RuntimeException noConnection) {
            if (carried != null) {
                carried.giveBack();
            }
            throw noConnection;
        }
        return redis.<List<Object>>evalsha(SWAP_SHA, ScriptOutputType.MULTI, keys, arguments)
            .toCompletableFuture()
            // A Redis that does not know the script yet (first use, restart, SCRIPT FLUSH) answers NOSCRIPT, which
            // is safe to retry: nothing ran. EVAL runs it once with its text and caches it for the next EVALSHA.
            .exceptionallyCompose(failure -> unwrap(failure) instanceof RedisNoScriptException
                ? redis.<List<Object>>eval(SWAP, ScriptOutputType.MULTI, keys, arguments).toCompletableFuture()
                : CompletableFuture.failedFuture(failure))
            .thenApply(answer -> {
                if (carried != null) {
                    carried.settle(answer.subList(2, answer.size()));
                }
                if (answer.get(0) instanceof Long swapped && swapped == 1L) {
                    lastSeen.put(key, replacement);
                    return true;
                }
                lastSeen.put(key, (byte[]) answer.get(1));
                return false;
            })
            .whenComplete((swapped, error) -> {
                if (error != null) {
                    // Whatever Redis holds now is unknown: recompute from a fresh read next time.
                    lastSeen.invalidate(key);
                    if (carried != null) {
                        // A command rejected or refused never ran: its units go to the next sync. After a timeout it
                        // may have run; sending again could count them twice in Redis, so they stay counted here
                        // only (docs/usage-and-quotas.md, "Quotas").
                        if (unwrap(error) instanceof RedisCommandTimeoutException) {
                            carried.keepLocally();
                        }
                        else {
                            carried.giveBack();
                        }
                    }
                }
            });
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private static String sha1Hex(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JDK", e);
        }
    }

    private static byte[] ascii(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    protected CompareAndSwapOperation beginCompareAndSwapOperation(String key) {
        throw new UnsupportedOperationException("asynchronous use only: the gateway never blocks on Redis");
    }

    @Override
    protected CompletableFuture<Void> removeAsync(String key) {
        lastSeen.invalidate(key);
        return commands.get().del(key).toCompletableFuture().thenApply(removed -> null);
    }

    @Override
    public void removeProxy(String key) {
        throw new UnsupportedOperationException("asynchronous use only: the gateway never blocks on Redis");
    }

    @Override
    public boolean isAsyncModeSupported() {
        return true;
    }

    @Override
    public boolean isExpireAfterWriteSupported() {
        return true;
    }
}
