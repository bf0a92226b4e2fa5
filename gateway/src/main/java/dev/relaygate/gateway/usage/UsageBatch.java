package dev.relaygate.gateway.usage;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

import tools.jackson.core.io.JsonStringEncoder;

/**
 * One batch of usage rows as the control plane reads it from {@code rg:usage}: exactly the shape of
 * {@code docs/contracts/usage-batch.json}, schema 1.
 *
 * @param batchId {@code {gatewayId}-{sequence}}, stable across re-sends of this batch
 * @param gatewayId the sending gateway process
 * @param createdAt when the batch was cut
 * @param rows the rows, one per (minute, organization, key, chain, method, outcome)
 */
record UsageBatch(String batchId, String gatewayId, Instant createdAt, List<Row> rows) {

    static final int SCHEMA = 1;

    UsageBatch {
        Objects.requireNonNull(batchId, "batchId");
        Objects.requireNonNull(gatewayId, "gatewayId");
        createdAt = createdAt.truncatedTo(ChronoUnit.MILLIS);
        rows = List.copyOf(rows);
    }

    /** The id of the {@code sequence}-th batch of gateway {@code gatewayId}. */
    static String batchId(String gatewayId, long sequence) {
        return gatewayId + "-" + String.format("%012d", sequence);
    }

    /** The batch as the JSON document of the contract. */
    String json() {
        StringBuilder json = new StringBuilder(128 + rows.size() * 280);
        json.append("{\"schema\":").append(SCHEMA);
        string(json.append(",\"batchId\":"), batchId);
        string(json.append(",\"gatewayId\":"), gatewayId);
        string(json.append(",\"createdAt\":"), createdAt.toString());
        json.append(",\"rows\":[");
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            json.append(i == 0 ? "{" : ",{");
            string(json.append("\"minute\":"), Instant.ofEpochMilli(row.minute()).toString());
            string(json.append(",\"organizationId\":"), row.organizationId());
            string(json.append(",\"keyId\":"), row.keyId());
            string(json.append(",\"chain\":"), row.chain());
            string(json.append(",\"method\":"), row.method());
            string(json.append(",\"outcome\":"), row.outcome().wire());
            json.append(",\"calls\":").append(row.calls());
            json.append(",\"computeUnits\":").append(row.computeUnits());
            json.append(",\"upstreamLatencyMillis\":").append(row.upstreamLatencyMillis());
            json.append('}');
        }
        return json.append("]}").toString();
    }

    private static void string(StringBuilder json, String value) {
        json.append('"');
        JsonStringEncoder.getInstance().quoteAsString(value, json);
        json.append('"');
    }

    /**
     * One aggregate row.
     *
     * @param minute start of the minute, epoch milliseconds (UTC)
     */
    record Row(long minute, String organizationId, String keyId, String chain, String method, UsageOutcome outcome,
            long calls, long computeUnits, long upstreamLatencyMillis) {
    }
}
