package dev.relaygate.gateway.usage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.relaygate.gateway.testsupport.Snapshots;

import static org.assertj.core.api.Assertions.assertThat;

/** A batch as JSON is exactly the shape of docs/contracts/usage-batch.json, which the control plane reads. */
class UsageBatchTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void hasTheContractsFieldsWithTheContractsTypes() {
        JsonNode contract = Snapshots.contract("usage-batch.json");
        UsageBatch batch = new UsageBatch("3f9c2a7e1b5d4c6a-000000000042", "3f9c2a7e1b5d4c6a",
                Instant.parse("2026-12-02T10:15:01.250Z"), List.of(new UsageBatch.Row(
                        Instant.parse("2026-12-02T10:14:00Z").toEpochMilli(), "6f1d3c1e-0000-4000-8000-0000000000aa",
                        "6f1d3c1e-0000-4000-8000-00000000be4c", "anvil", "eth_call", UsageOutcome.OK, 12, 312, 96)));

        JsonNode written = JSON.readTree(batch.json());

        assertThat(shape(written)).isEqualTo(shape(contract));
        assertThat(shape(written.get("rows").get(0))).isEqualTo(shape(contract.get("rows").get(0)));
        assertThat(written.get("rows").get(0)).isEqualTo(contract.get("rows").get(0));
        assertThat(written.get("createdAt")).isEqualTo(contract.get("createdAt"));
        assertThat(written.get("batchId")).isEqualTo(contract.get("batchId"));
        assertThat(written.get("schema")).isEqualTo(contract.get("schema"));
    }

    @Test
    void writesEveryOutcomeAsTheContractNamesIt() {
        JsonNode contract = Snapshots.contract("usage-batch.json");
        List<String> contractOutcomes = new ArrayList<>();
        contract.get("rows").forEach(row -> contractOutcomes.add(row.get("outcome").asString()));

        assertThat(List.of(UsageOutcome.values())).extracting(UsageOutcome::wire)
            .containsAll(contractOutcomes)
            .contains("upstream_error");
    }

    @Test
    void escapesNamesThatNeedIt() {
        UsageBatch batch = new UsageBatch("g-1", "g", Instant.EPOCH, List.of(new UsageBatch.Row(0, "o", "k", "c",
                "we\"ird\\method\n", UsageOutcome.OK, 1, 1, 0)));

        assertThat(JSON.readTree(batch.json()).get("rows").get(0).get("method").asString())
            .isEqualTo("we\"ird\\method\n");
    }

    /** Field name to JSON node type, in name order. */
    private static Map<String, String> shape(JsonNode node) {
        Map<String, String> shape = new TreeMap<>();
        node.properties().forEach(entry -> shape.put(entry.getKey(), entry.getValue().getNodeType().name()));
        return shape;
    }
}
