package dev.relaygate.controlplane.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

import tools.jackson.databind.json.JsonMapper;

/**
 * Builds usage batches as a gateway would send them (docs/contracts/usage-batch.json) and appends them to rg:usage.
 * Public for tests of what reads the aggregates (billing).
 */
public final class UsageStreamFixture {

    static final String STREAM = "rg:usage";

    static final String GROUP = "control-plane";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private UsageStreamFixture() {
    }

    /** One row of a batch, as sent. */
    public record Row(Instant minute, UUID organizationId, UUID keyId, String chain, String method, String outcome, long calls,
            long computeUnits, long upstreamLatencyMillis) {

        Map<String, Object> wire() {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("minute", minute.toString());
            row.put("organizationId", organizationId.toString());
            row.put("keyId", keyId.toString());
            row.put("chain", chain);
            row.put("method", method);
            row.put("outcome", outcome);
            row.put("calls", calls);
            row.put("computeUnits", computeUnits);
            row.put("upstreamLatencyMillis", upstreamLatencyMillis);
            return row;
        }
    }

    public static String batch(String batchId, List<Row> rows) {
        Map<String, Object> batch = new LinkedHashMap<>();
        batch.put("schema", 1);
        batch.put("batchId", batchId);
        batch.put("gatewayId", "test-gateway");
        batch.put("createdAt", Instant.now().toString());
        batch.put("someFutureField", Map.of("readers", "ignore it"));
        List<Map<String, Object>> wire = new ArrayList<>();
        rows.forEach(row -> wire.add(row.wire()));
        batch.put("rows", wire);
        return JSON.writeValueAsString(batch);
    }

    /** XADD rg:usage * batch <json>; answers the entry id. */
    public static String append(RedisClusterCommands<String, String> redis, String batchJson) {
        return redis.xadd(STREAM, Map.of("batch", batchJson));
    }

    /** Waits until the group has acknowledged an entry: it was delivered and is no longer pending. */
    public static void awaitAcknowledged(RedisClusterCommands<String, String> redis, String id) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String lastDelivered = redis.xinfoGroups(STREAM).stream()
                .map(UsageStreamFixture::fields)
                .filter(group -> GROUP.equals(String.valueOf(group.get("name"))))
                .map(group -> String.valueOf(group.get("last-delivered-id")))
                .findFirst().orElse("0-0");
            assertThat(StreamIds.compare(lastDelivered, id)).as("delivered").isGreaterThanOrEqualTo(0);
            assertThat(redis.xpending(STREAM, GROUP, Range.create(id, id), Limit.from(1))).as("pending").isEmpty();
        });
    }

    static Map<String, Object> fields(Object raw) {
        Map<String, Object> fields = new HashMap<>();
        List<?> list = (List<?>) raw;
        for (int i = 0; i + 1 < list.size(); i += 2) {
            fields.put(String.valueOf(list.get(i)), list.get(i + 1));
        }
        return fields;
    }
}
