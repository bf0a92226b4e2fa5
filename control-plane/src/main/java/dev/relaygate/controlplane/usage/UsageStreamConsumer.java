package dev.relaygate.controlplane.usage;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.Consumer;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XTrimArgs;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.spi.R2dbcException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.relaygate.controlplane.propagation.RedisDeployment;
import dev.relaygate.controlplane.propagation.RedisNames;
import dev.relaygate.controlplane.propagation.RedisProperties;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Consumes {@code rg:usage} as a member of a consumer group, one round at a time on its own Redis connection:
 * <ol>
 * <li>take over entries idle longer than {@code claim-idle-time} at another consumer (XAUTOCLAIM), when due;</li>
 * <li>read: first what this consumer read earlier but never acknowledged (id 0, after a restart or a failed
 * round), then new entries (id {@code >}, blocking up to {@code block-time});</li>
 * <li>fold each entry into Postgres ({@link UsageLedger}) and acknowledge it only after that commit;</li>
 * <li>trim the stream behind the oldest entry any group still needs, when due.</li>
 * </ol>
 * Delivery is at least once, counting exactly once: a batch id already recorded changes nothing. An entry that is not
 * a readable batch is dead-lettered and acknowledged, never retried forever; a failure of Redis or Postgres ends
 * the round unacknowledged and the next round, after {@code retry-backoff}, re-reads from id 0.
 * On a Redis Cluster every command names the one stream key, so all of them go to the master of its slot.
 */
@Component
public final class UsageStreamConsumer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(UsageStreamConsumer.class);

    private static final String STREAM = RedisNames.USAGE_STREAM;

    private static final String FIRST_ID = "0-0";

    private final UsageLedger ledger;

    private final JsonMapper json;

    private final UsageProperties properties;

    private final Clock clock;

    private final RedisDeployment client;

    private final Consumer<String> me;

    private final Counter counted;

    private final Counter duplicates;

    private final Counter deadLettered;

    private final List<UsageListener> listeners;

    private final AtomicReference<RedisDeployment.Link> connection = new AtomicReference<>();

    private volatile Disposable loop;

    private volatile boolean groupReady;

    /** Whether the next read is of this consumer's own pending entries (id 0) rather than new ones. */
    private volatile boolean backlog = true;

    private volatile String claimCursor = FIRST_ID;

    private volatile Instant nextClaim = Instant.MIN;

    private volatile Instant nextTrim = Instant.MIN;

    public UsageStreamConsumer(UsageLedger ledger, JsonMapper json, UsageProperties properties,
            RedisProperties redis, Clock clock, MeterRegistry meters, ObjectProvider<UsageListener> listeners) {
        this.ledger = ledger;
        this.listeners = listeners.orderedStream().toList();
        this.json = json;
        this.properties = properties;
        this.clock = clock;
        this.me = Consumer.from(properties.group(), consumerName(properties));
        // A blocking XREADGROUP legitimately takes block-time; the command timeout bounds what comes on top.
        Duration timeout = properties.blockTime().plus(redis.commandTimeout()).plus(redis.commandTimeout());
        this.client = RedisDeployment.create(redis, timeout, ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(timeout))
            .socketOptions(SocketOptions.builder().connectTimeout(redis.connectTimeout()).build())
            .build());
        this.counted = meters.counter("relaygate.usage.batches", "result", "counted");
        this.duplicates = meters.counter("relaygate.usage.batches", "result", "duplicate");
        this.deadLettered = meters.counter("relaygate.usage.batches", "result", "dead_letter");
    }

    /** This instance's consumer name in the group. */
    public String consumerName() {
        return me.getName();
    }

    @Override
    public synchronized void start() {
        if (!properties.enabled() || loop != null) {
            return;
        }
        backlog = true;
        groupReady = false;
        claimCursor = FIRST_ID;
        nextClaim = Instant.MIN;
        nextTrim = Instant.MIN;
        loop = Mono.defer(this::round)
            .onErrorResume(failure -> {
                log.warn("Usage stream round failed, retrying in {}: {}", properties.retryBackoff(),
                        failure.toString());
                // Whatever this round read and did not acknowledge is re-read from id 0 next time.
                backlog = true;
                groupReady = false;
                return Mono.delay(properties.retryBackoff()).then();
            })
            .repeat()
            .subscribe();
        log.info("Consuming {} as {} in group {}", STREAM, me.getName(), me.getGroup());
    }

    /** Stops at once, as a crash would: an entry being folded in is rolled back or committed but unacknowledged. */
    @Override
    public synchronized void stop() {
        Disposable current = loop;
        loop = null;
        if (current != null) {
            current.dispose();
        }
        RedisDeployment.Link open = connection.getAndSet(null);
        if (open != null) {
            // Closed before stop() returns (it runs on the lifecycle thread, never an event loop): an XREADGROUP still
            // blocked in Redis would otherwise take entries appended after the stop, for a consumer that is gone.
            open.connection().close();
        }
    }

    @Override
    public boolean isRunning() {
        return loop != null;
    }

    private Mono<Void> round() {
        return commands().flatMap(redis -> ensureGroup(redis)
            .then(Mono.defer(() -> claim(redis)))
            .then(Mono.defer(() -> read(redis)))
            .then(Mono.defer(() -> trim(redis))));
    }

    private Mono<Void> ensureGroup(RedisClusterReactiveCommands<String, String> redis) {
        if (groupReady) {
            return Mono.empty();
        }
        // From the start of the stream: entries appended before the group existed are counted too.
        return redis.xgroupCreate(XReadArgs.StreamOffset.from(STREAM, FIRST_ID), me.getGroup(),
                XGroupCreateArgs.Builder.mkstream())
            .then()
            .onErrorResume(failure -> String.valueOf(failure.getMessage()).startsWith("BUSYGROUP"),
                    exists -> Mono.empty())
            .doOnSuccess(done -> groupReady = true);
    }

    private Mono<Void> claim(RedisClusterReactiveCommands<String, String> redis) {
        if (clock.instant().isBefore(nextClaim)) {
            return Mono.empty();
        }
        return redis.xautoclaim(STREAM, XAutoClaimArgs.Builder.xautoclaim(me, properties.claimIdleTime(), claimCursor)
                .count(properties.batchSize()))
            .flatMap(claimed -> {
                if (!claimed.getMessages().isEmpty()) {
                    log.info("Took over {} usage entries idle for more than {}", claimed.getMessages().size(),
                            properties.claimIdleTime());
                }
                return process(redis, claimed.getMessages()).then(Mono.fromRunnable(() -> {
                    claimCursor = claimed.getId() == null ? FIRST_ID : claimed.getId();
                    if (FIRST_ID.equals(claimCursor)) {
                        nextClaim = clock.instant().plus(properties.claimInterval());
                    }
                }));
            });
    }

    private Mono<Void> read(RedisClusterReactiveCommands<String, String> redis) {
        boolean own = backlog;
        XReadArgs args = XReadArgs.Builder.count(properties.batchSize());
        if (!own) {
            args = args.block(properties.blockTime());
        }
        XReadArgs.StreamOffset<String> offset = own ? XReadArgs.StreamOffset.from(STREAM, FIRST_ID)
                : XReadArgs.StreamOffset.lastConsumed(STREAM);
        return redis.xreadgroup(me, args, offset)
            .collectList()
            .flatMap(entries -> {
                if (own && entries.isEmpty()) {
                    backlog = false;
                }
                return process(redis, entries);
            });
    }

    private Mono<Void> process(RedisClusterReactiveCommands<String, String> redis, List<StreamMessage<String, String>> entries) {
        return Flux.fromIterable(entries)
            .concatMap(entry -> fold(entry).then(redis.xack(STREAM, me.getGroup(), entry.getId())))
            .then();
    }

    /** Folds one entry in, or dead-letters it; completes when it may be acknowledged. */
    private Mono<Void> fold(StreamMessage<String, String> entry) {
        String id = entry.getId();
        Map<String, String> body = entry.getBody();
        String payload = body == null ? null : body.get(RedisNames.USAGE_BATCH_FIELD);
        UsageBatch batch;
        try {
            batch = UsageBatch.parse(json, payload);
        }
        catch (UsageBatch.Unreadable unreadable) {
            return deadLetter(id, payload == null && body != null ? String.valueOf(body) : payload,
                    unreadable.getMessage());
        }
        return ledger.record(batch, id)
            .doOnNext(isNew -> (isNew ? counted : duplicates).increment())
            .flatMap(isNew -> isNew ? tell(batch) : Mono.empty())
            .then()
            .onErrorResume(UsageStreamConsumer::isProblemWithTheData,
                    refused -> deadLetter(id, payload, "refused by the database: " + refused));
    }

    /** Tells the listeners a batch was counted; whatever they do, the entry is then acknowledged. */
    private Mono<Void> tell(UsageBatch batch) {
        if (listeners.isEmpty()) {
            return Mono.empty();
        }
        Set<UUID> organizations = new HashSet<>();
        for (UsageRow row : batch.rows()) {
            organizations.add(row.organizationId());
        }
        return Flux.fromIterable(listeners)
            .concatMap(listener -> listener.counted(Set.copyOf(organizations)).onErrorResume(failure -> {
                log.warn("Usage listener {} failed after batch {}: {}", listener.getClass().getSimpleName(),
                        batch.batchId(), failure.toString());
                return Mono.empty();
            }))
            .then();
    }

    private Mono<Void> deadLetter(String id, String payload, String reason) {
        log.warn("Usage stream entry {} is unreadable and set aside in usage_dead_letters: {}", id, reason);
        return ledger.deadLetter(id, payload, reason).doOnSuccess(done -> deadLettered.increment());
    }

    /**
     * Whether retrying can never help: Postgres refused the values themselves (SQLSTATE class 22, data exception, or
     * 23, integrity constraint) or the counts overflow. Anything else (connection, timeout, deadlock) is retried.
     */
    private static boolean isProblemWithTheData(Throwable failure) {
        if (failure instanceof ArithmeticException) {
            return true;
        }
        String state = failure instanceof R2dbcException r2dbc ? r2dbc.getSqlState()
                : failure.getCause() instanceof R2dbcException cause ? cause.getSqlState() : null;
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    /**
     * Trims entries older than the oldest one some group still needs: its oldest pending entry, or, with nothing
     * pending, its last delivered one. Entries after that were not yet read by that group and stay.
     */
    private Mono<Void> trim(RedisClusterReactiveCommands<String, String> redis) {
        if (clock.instant().isBefore(nextTrim)) {
            return Mono.empty();
        }
        return redis.xinfoGroups(STREAM)
            .concatMap(raw -> {
                Map<String, Object> group = fields(raw);
                String name = String.valueOf(group.get("name"));
                String lastDelivered = String.valueOf(group.get("last-delivered-id"));
                long pending = group.get("pending") instanceof Number n ? n.longValue() : 0L;
                if (pending == 0) {
                    return Mono.just(lastDelivered);
                }
                return redis.xpending(STREAM, name).map(summary -> summary.getMessageIds().getLower().getValue());
            })
            .reduce((a, b) -> StreamIds.compare(a, b) <= 0 ? a : b)
            .filter(minId -> !FIRST_ID.equals(minId))
            .flatMap(minId -> redis.xtrim(STREAM, XTrimArgs.Builder.minId(minId).approximateTrimming()))
            .then(Mono.fromRunnable(() -> nextTrim = clock.instant().plus(properties.trimInterval())));
    }

    private static Map<String, Object> fields(Object raw) {
        Map<String, Object> fields = new java.util.HashMap<>();
        if (raw instanceof List<?> list) {
            for (int i = 0; i + 1 < list.size(); i += 2) {
                fields.put(String.valueOf(list.get(i)), list.get(i + 1));
            }
        }
        return fields;
    }

    private Mono<RedisClusterReactiveCommands<String, String>> commands() {
        RedisDeployment.Link current = connection.get();
        if (current != null) {
            return Mono.just(current.reactive());
        }
        return Mono.fromCompletionStage(client::connectAsync).map(opened -> {
            if (connection.compareAndSet(null, opened)) {
                return opened.reactive();
            }
            opened.connection().closeAsync();
            return Objects.requireNonNull(connection.get()).reactive();
        });
    }

    private static String consumerName(UsageProperties properties) {
        if (!properties.consumerName().isBlank()) {
            return properties.consumerName();
        }
        String host = System.getenv("HOSTNAME");
        if (host != null && !host.isBlank()) {
            return host;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        }
        catch (UnknownHostException e) {
            throw new IllegalStateException("Set relaygate.usage.consumer-name: the host name is unknown", e);
        }
    }

    /** Called by the container after {@link #stop()}; releases the client for good. */
    @jakarta.annotation.PreDestroy
    void shutdown() {
        stop();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
