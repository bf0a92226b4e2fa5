package dev.relaygate.controlplane.usage;

import static dev.relaygate.controlplane.usage.UsageStreamFixture.GROUP;
import static dev.relaygate.controlplane.usage.UsageStreamFixture.STREAM;
import static dev.relaygate.controlplane.usage.UsageStreamFixture.append;
import static dev.relaygate.controlplane.usage.UsageStreamFixture.awaitAcknowledged;
import static dev.relaygate.controlplane.usage.UsageStreamFixture.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;

import dev.relaygate.controlplane.testsupport.IntegrationTest;
import dev.relaygate.controlplane.usage.UsageStreamFixture.Row;
import tools.jackson.databind.json.JsonMapper;

/**
 * Usage batches appended to rg:usage end up in Postgres exactly once, whatever happens to deliveries: duplicates,
 * a consumer dying between read and acknowledgement, a restart after commit, unreadable entries, downtime.
 */
class UsageConsumptionIT extends IntegrationTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static final List<String> CHAINS = List.of("anvil", "eth-mainnet", "base");

    private static final List<String> METHODS = List.of("eth_call", "eth_getBalance", "eth_getLogs", "eth_blockNumber");

    private static final List<String> OUTCOMES = List.of("ok", "rpc_error", "rate_limited", "upstream_error");

    @Autowired
    private UsageStreamConsumer consumer;

    @Autowired
    private UsageLedger ledger;

    @Autowired
    private JsonMapper json;

    @AfterEach
    void consumerRunsAgain() {
        consumer.start();
    }

    @Test
    void hourlyAndDailyTotalsEqualExactlyWhatTwoHundredBatchesSent() {
        UUID org = UUID.randomUUID();
        List<UUID> keys = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(),
                UUID.randomUUID());
        Random random = new Random(15);
        // Three days across a month boundary, so rows land in two monthly partitions.
        Instant start = Instant.parse("2026-01-31T20:00:00Z");
        List<Row> sent = new ArrayList<>();
        for (int b = 0; b < 200; b++) {
            List<Row> rows = new ArrayList<>();
            for (int r = 0; r < 10; r++) {
                String outcome = OUTCOMES.get(random.nextInt(OUTCOMES.size()));
                long calls = 1 + random.nextInt(20);
                rows.add(new Row(start.plus(random.nextInt(3 * 24 * 60), ChronoUnit.MINUTES), org,
                        keys.get(random.nextInt(keys.size())), CHAINS.get(random.nextInt(CHAINS.size())),
                        METHODS.get(random.nextInt(METHODS.size())), outcome, calls,
                        outcome.equals("rate_limited") ? 0 : calls * (1 + random.nextInt(30)),
                        outcome.equals("rate_limited") ? 0 : calls * random.nextInt(200)));
            }
            sent.addAll(rows);
            append(redis(), batch("reconcile-" + org + "-" + b, rows));
        }
        assertThat(sent.stream().mapToLong(Row::calls).sum()).isGreaterThanOrEqualTo(10_000);

        Map<String, Totals> expectedHourly = expected(sent, row -> row.minute().truncatedTo(ChronoUnit.HOURS).toString());
        Map<String, Totals> expectedDaily = expected(sent,
                row -> LocalDate.ofInstant(row.minute(), ZoneOffset.UTC).toString());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(total("usage_hourly", org)).isEqualTo(Totals.of(sent)));
        assertThat(cells("usage_hourly", "hour", org)).isEqualTo(expectedHourly);
        assertThat(cells("usage_daily", "day", org)).isEqualTo(expectedDaily);
        assertThat(total("usage_daily", org)).isEqualTo(Totals.of(sent));
        assertThat(partitions()).contains("usage_hourly_2026_01", "usage_hourly_2026_02");
    }

    @Test
    void aBatchDeliveredTwiceCountsOnce() {
        UUID org = UUID.randomUUID();
        List<Row> rows = List.of(row(org, "2026-02-10T10:14:00Z", "ok", 12, 312),
                row(org, "2026-02-10T10:14:00Z", "rpc_error", 1, 19));
        String document = batch("twice-" + org, rows);
        append(redis(), document);
        String second = append(redis(), document);

        awaitAcknowledged(redis(), second);
        assertThat(total("usage_hourly", org)).isEqualTo(Totals.of(rows));
        assertThat(total("usage_daily", org)).isEqualTo(Totals.of(rows));
    }

    @Test
    void entriesOfAConsumerThatDiedBeforeAcknowledgingAreTakenOverAndCountedOnce() {
        UUID org = UUID.randomUUID();
        consumer.stop();
        List<Row> sent = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int b = 0; b < 5; b++) {
            List<Row> rows = List.of(row(org, "2026-02-11T0" + b + ":30:00Z", "ok", 10 + b, 100));
            sent.addAll(rows);
            ids.add(append(redis(), batch("dead-" + org + "-" + b, rows)));
        }
        Consumer<String> dead = Consumer.from(GROUP, "dead-consumer-" + org);
        List<String> readByDead = redis().xreadgroup(dead, XReadArgs.Builder.count(10_000),
                XReadArgs.StreamOffset.lastConsumed(STREAM)).stream().map(StreamMessage::getId).toList();
        // A read the stopped consumer still had blocked on the stream may have taken the first entries: the dead
        // consumer holds the rest (at least the last one), and never acknowledges them.
        assertThat(readByDead).isNotEmpty().contains(ids.get(ids.size() - 1));

        consumer.start();

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(total("usage_hourly", org)).isEqualTo(Totals.of(sent));
            assertThat(redis().xpending(STREAM, dead, Range.create("-", "+"), Limit.from(100))).isEmpty();
        });
        for (String id : ids) {
            awaitAcknowledged(redis(), id);
        }
        assertThat(total("usage_hourly", org)).isEqualTo(Totals.of(sent));
        assertThat(total("usage_daily", org)).isEqualTo(Totals.of(sent));
    }

    @Test
    void anEntryCommittedButNotAcknowledgedBeforeARestartIsReReadAndCountedOnce() {
        UUID org = UUID.randomUUID();
        consumer.stop();
        List<Row> rows = List.of(row(org, "2026-02-12T08:00:00Z", "ok", 7, 70));
        String id = append(redis(), batch("restart-" + org, rows));
        Consumer<String> self = Consumer.from(GROUP, consumer.consumerName());
        // A read the stopped consumer still had blocked on the stream may have taken the entry: it is then pending
        // for this consumer, and reading from "0" delivers it again.
        StreamMessage<String, String> entry = Stream.of(XReadArgs.StreamOffset.lastConsumed(STREAM),
                XReadArgs.StreamOffset.from(STREAM, "0"))
            .flatMap(offset -> redis().xreadgroup(self, XReadArgs.Builder.count(10_000), offset).stream())
            .filter(message -> message.getId().equals(id))
            .findFirst()
            .orElseThrow();
        // The previous life of this consumer committed the batch, then died before XACK.
        assertThat(ledger.record(UsageBatch.parse(json, entry.getBody().get("batch")), id).block()).isTrue();

        consumer.start();

        awaitAcknowledged(redis(), id);
        assertThat(total("usage_hourly", org)).isEqualTo(Totals.of(rows));
        assertThat(total("usage_daily", org)).isEqualTo(Totals.of(rows));
    }

    @Test
    void unreadableEntriesAreDeadLetteredAndAcknowledgedAndLaterEntriesStillCount() {
        UUID org = UUID.randomUUID();
        List<Row> before = List.of(row(org, "2026-02-13T09:00:00Z", "ok", 3, 30));
        List<Row> after = List.of(row(org, "2026-02-13T09:01:00Z", "upstream_error", 4, 0));
        append(redis(), batch("before-" + org, before));
        String notJson = append(redis(), "{this is not json");
        String wrongSchema = redis().xadd(STREAM, Map.of("batch", batch("schema2-" + org, before).replace(
                "\"schema\":1", "\"schema\":2")));
        String badOutcome = append(redis(), batch("outcome-" + org, List.of(row(org, "2026-02-13T09:00:00Z",
                "teleported", 1, 1))));
        String noBatchField = redis().xadd(STREAM, Map.of("something", "else"));
        String last = append(redis(), batch("after-" + org, after));

        awaitAcknowledged(redis(), last);
        for (String id : List.of(notJson, wrongSchema, badOutcome, noBatchField)) {
            awaitAcknowledged(redis(), id);
        }
        List<Row> counted = new ArrayList<>(before);
        counted.addAll(after);
        assertThat(total("usage_hourly", org)).isEqualTo(Totals.of(counted));
        Map<String, String> deadLetters = new HashMap<>();
        db.sql("select stream_id, reason from usage_dead_letters where stream_id in (:a, :b, :c, :d)")
            .bind("a", notJson).bind("b", wrongSchema).bind("c", badOutcome).bind("d", noBatchField)
            .map(row -> Map.entry(row.get("stream_id", String.class), row.get("reason", String.class)))
            .all()
            .doOnNext(e -> deadLetters.put(e.getKey(), e.getValue()))
            .blockLast();
        assertThat(deadLetters).containsOnlyKeys(notJson, wrongSchema, badOutcome, noBatchField);
        assertThat(deadLetters.get(wrongSchema)).contains("schema 2");
        assertThat(deadLetters.get(badOutcome)).contains("outcome");
        assertThat(deadLetters.get(noBatchField)).contains("no 'batch' field");
    }

    @Test
    void entriesAddedWhileTheControlPlaneWasDownAreCountedOnceAfterItsRestart() {
        UUID org = UUID.randomUUID();
        List<Row> sent = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int b = 0; b < 40; b++) {
            if (b == 10) {
                consumer.stop();
            }
            List<Row> rows = List.of(row(org, "2026-02-14T1" + (b % 10) + ":00:00Z", b % 4 == 0 ? "rate_limited" : "ok",
                    1 + b, b % 4 == 0 ? 0 : 10L * b));
            sent.addAll(rows);
            ids.add(append(redis(), batch("downtime-" + org + "-" + b, rows)));
        }

        consumer.start();

        for (String id : ids) {
            awaitAcknowledged(redis(), id);
        }
        assertThat(total("usage_hourly", org)).isEqualTo(Totals.of(sent));
        assertThat(total("usage_daily", org)).isEqualTo(Totals.of(sent));
    }

    @Test
    void lastUsedDayOfAKeyIsTheGreatestDaySeen() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        UUID key = UUID.fromString((String) createKey(owner, org).get("id"));
        append(redis(), batch("later-" + key, List.of(new Row(Instant.parse("2026-03-07T23:59:00Z"), org, key, "anvil",
                "eth_call", "ok", 1, 26, 3))));
        String earlier = append(redis(), batch("earlier-" + key, List.of(new Row(Instant.parse("2026-03-05T10:00:00Z"),
                org, key, "anvil", "eth_call", "ok", 1, 26, 3))));

        awaitAcknowledged(redis(), earlier);
        Map<String, Object> read = ok(owner, HttpMethod.GET, "/v1/organizations/" + org + "/keys/" + key, null, 200);
        assertThat(read.get("lastUsedDay")).isEqualTo("2026-03-07");
    }

    @Test
    void theStreamIsTrimmedOnlyBehindWhatWasAcknowledged() {
        UUID org = UUID.randomUUID();
        String last = null;
        for (int b = 0; b < 300; b++) {
            last = append(redis(), batch("trim-" + org + "-" + b, List.of(row(org, "2026-02-15T10:00:00Z", "ok", 1, 1))));
        }
        awaitAcknowledged(redis(), last);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(redis().xlen(STREAM)).isLessThan(300));
        // Whatever remains includes nothing older than an entry still pending for the group.
        String oldestKept = redis().xrange(STREAM, Range.create("-", "+"), Limit.from(1)).getFirst().getId();
        List<String> pendingOlder = redis().xpending(STREAM, GROUP, Range.create("-", oldestKept), Limit.from(1))
            .stream().map(p -> p.getId()).filter(id -> !id.equals(oldestKept)).toList();
        assertThat(pendingOlder).isEmpty();
        assertThat(total("usage_hourly", org).calls()).isEqualTo(300);
    }

    private static Row row(UUID org, String minute, String outcome, long calls, long computeUnits) {
        return new Row(Instant.parse(minute), org, UUID.nameUUIDFromBytes(org.toString().getBytes()), "anvil",
                "eth_call", outcome, calls, computeUnits, calls * 5);
    }

    private Totals total(String table, UUID org) {
        return db.sql("select coalesce(sum(calls), 0)::bigint as calls, coalesce(sum(compute_units), 0)::bigint as cu, "
                + "coalesce(sum(errors), 0)::bigint as errors, coalesce(sum(rate_limited), 0)::bigint as limited, "
                + "coalesce(sum(upstream_latency_ms_sum), 0)::bigint as latency from " + table
                + " where organization_id = :org")
            .bind("org", org)
            .map(row -> new Totals(row.get("calls", Long.class), row.get("cu", Long.class),
                    row.get("errors", Long.class), row.get("limited", Long.class), row.get("latency", Long.class)))
            .one()
            .block();
    }

    private Map<String, Totals> cells(String table, String bucket, UUID org) {
        Map<String, Totals> cells = new HashMap<>();
        db.sql("select key_id, chain, method, " + bucket + " as bucket, calls, compute_units, errors, rate_limited, "
                + "upstream_latency_ms_sum from " + table + " where organization_id = :org")
            .bind("org", org)
            .map(row -> Map.entry(row.get("key_id", UUID.class) + "|" + row.get("chain", String.class) + "|"
                    + row.get("method", String.class) + "|" + (bucket.equals("hour")
                            ? row.get("bucket", Instant.class).toString()
                            : row.get("bucket", LocalDate.class).toString()),
                    new Totals(row.get("calls", Long.class), row.get("compute_units", Long.class),
                            row.get("errors", Long.class), row.get("rate_limited", Long.class),
                            row.get("upstream_latency_ms_sum", Long.class))))
            .all()
            .doOnNext(e -> cells.put(e.getKey(), e.getValue()))
            .blockLast();
        return cells;
    }

    private List<String> partitions() {
        return db.sql("select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid "
                + "where i.inhparent = 'usage_hourly'::regclass")
            .map(row -> row.get("relname", String.class))
            .all()
            .collectList()
            .block();
    }

    private static Map<String, Totals> expected(List<Row> rows, Function<Row, String> bucket) {
        Map<String, List<Row>> grouped = new HashMap<>();
        for (Row row : rows) {
            grouped.computeIfAbsent(row.keyId() + "|" + row.chain() + "|" + row.method() + "|" + bucket.apply(row),
                    k -> new ArrayList<>()).add(row);
        }
        Map<String, Totals> expected = new HashMap<>();
        grouped.forEach((k, v) -> expected.put(k, Totals.of(v)));
        return expected;
    }

    /** What the tables must hold for a set of rows sent: the counting rules of docs/usage-and-quotas.md. */
    record Totals(long calls, long computeUnits, long errors, long rateLimited, long upstreamLatencyMillis) {

        static Totals of(List<Row> rows) {
            long calls = 0;
            long units = 0;
            long errors = 0;
            long limited = 0;
            long latency = 0;
            for (Row row : rows) {
                switch (row.outcome()) {
                    case "rate_limited" -> limited += row.calls();
                    case "rpc_error", "upstream_error" -> {
                        calls += row.calls();
                        errors += row.calls();
                    }
                    default -> calls += row.calls();
                }
                units += row.computeUnits();
                latency += row.upstreamLatencyMillis();
            }
            return new Totals(calls, units, errors, limited, latency);
        }
    }
}
