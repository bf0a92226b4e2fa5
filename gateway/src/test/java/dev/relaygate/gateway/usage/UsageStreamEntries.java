package dev.relaygate.gateway.usage;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a key's usage adds up to in {@code rg:usage}, counted as the control plane counts it: each batch id once.
 * Also checks that a batch id seen twice carries the same document (a re-send, never a different batch).
 */
public final class UsageStreamEntries {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private UsageStreamEntries() {
    }

    /** Calls and compute units per outcome of {@code keyId}, over distinct batch ids; "entries" counts raw entries. */
    public static Map<String, Long> totals(RedisClusterCommands<String, String> redis, String keyId) {
        List<StreamMessage<String, String>> entries = redis.xrange(UsageStream.STREAM, Range.create("-", "+"));
        Map<String, String> batches = new HashMap<>();
        Map<String, Long> totals = new HashMap<>();
        for (StreamMessage<String, String> entry : entries) {
            String json = entry.getBody().get(UsageStream.FIELD);
            JsonNode batch = JSON.readTree(json);
            String batchId = batch.get("batchId").asString();
            String earlier = batches.putIfAbsent(batchId, json);
            if (earlier != null) {
                assertThat(json).as("a re-sent batch %s is the same document", batchId).isEqualTo(earlier);
                continue;
            }
            for (JsonNode row : batch.get("rows")) {
                if (row.get("keyId").asString().equals(keyId)) {
                    String outcome = row.get("outcome").asString();
                    totals.merge(outcome + ".calls", row.get("calls").asLong(), Long::sum);
                    totals.merge(outcome + ".cu", row.get("computeUnits").asLong(), Long::sum);
                    totals.merge("entries", 1L, Long::sum);
                }
            }
        }
        totals.remove("entries");
        return totals;
    }

    /** Calls and compute units of {@code keyId} with outcome ok, per method ("method.calls", "method.cu"). */
    public static Map<String, Long> okByMethod(RedisClusterCommands<String, String> redis, String keyId) {
        Map<String, String> batches = new HashMap<>();
        Map<String, Long> totals = new HashMap<>();
        for (StreamMessage<String, String> entry : redis.xrange(UsageStream.STREAM, Range.create("-", "+"))) {
            String json = entry.getBody().get(UsageStream.FIELD);
            JsonNode batch = JSON.readTree(json);
            if (batches.putIfAbsent(batch.get("batchId").asString(), json) != null) {
                continue;
            }
            for (JsonNode row : batch.get("rows")) {
                if (row.get("keyId").asString().equals(keyId) && row.get("outcome").asString().equals("ok")) {
                    String method = row.get("method").asString();
                    totals.merge(method + ".calls", row.get("calls").asLong(), Long::sum);
                    totals.merge(method + ".cu", row.get("computeUnits").asLong(), Long::sum);
                }
            }
        }
        return totals;
    }
}
