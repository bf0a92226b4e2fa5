package dev.relaygate.controlplane.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.json.JsonMapper;

/** The contract example (docs/contracts/usage-batch.json) reads, and its rows fold by the documented counting rules. */
class UsageBatchTest {

    private static final Path CONTRACT = Path.of("..", "docs", "contracts", "usage-batch.json");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void readsTheContractExample() throws Exception {
        UsageBatch batch = UsageBatch.parse(JSON, Files.readString(CONTRACT));

        assertThat(batch.batchId()).isEqualTo("3f9c2a7e1b5d4c6a-000000000042");
        assertThat(batch.gatewayId()).isEqualTo("3f9c2a7e1b5d4c6a");
        assertThat(batch.rows()).hasSize(3);
        assertThat(batch.rows().getFirst()).isEqualTo(new UsageRow(Instant.parse("2026-12-02T10:14:00Z"),
                UUID.fromString("6f1d3c1e-0000-4000-8000-0000000000aa"),
                UUID.fromString("6f1d3c1e-0000-4000-8000-00000000be4c"), "anvil", "eth_call", Outcome.OK, 12, 312, 96));
    }

    @Test
    void rateLimitedCallsAreNotCallsAndErrorsAre() throws Exception {
        UsageAggregates aggregates = UsageAggregates.of(UsageBatch.parse(JSON, Files.readString(CONTRACT)).rows());

        UsageAggregates.Counts total = aggregates.daily().stream()
            .map(UsageAggregates.Cell::counts)
            .reduce(new UsageAggregates.Counts(0, 0, 0, 0, 0), UsageAggregates.Counts::plus);
        assertThat(total).isEqualTo(new UsageAggregates.Counts(13, 331, 1, 3, 100));
        assertThat(aggregates.hourly()).extracting(cell -> cell.dimensions().bucket())
            .containsOnly(Instant.parse("2026-12-02T10:00:00Z"));
        assertThat(aggregates.lastUsedDays()).containsValue(LocalDate.parse("2026-12-02"));
        assertThat(aggregates.months()).containsExactly(LocalDate.parse("2026-12-01"));
    }

    @Test
    void ignoresUnknownFieldsButRefusesAnotherSchema() {
        String future = """
                {"schema":1,"batchId":"b","rows":[],"compression":"none"}""";
        assertThat(UsageBatch.parse(JSON, future).rows()).isEmpty();

        assertThatThrownBy(() -> UsageBatch.parse(JSON, future.replace("\"schema\":1", "\"schema\":2")))
            .isInstanceOf(UsageBatch.Unreadable.class)
            .hasMessageContaining("schema 2");
    }

    @Test
    void refusesANegativeCount() {
        String negative = """
                {"schema":1,"batchId":"b","rows":[{"minute":"2026-12-02T10:14:00Z",
                 "organizationId":"6f1d3c1e-0000-4000-8000-0000000000aa","keyId":"6f1d3c1e-0000-4000-8000-00000000be4c",
                 "chain":"anvil","method":"eth_call","outcome":"ok","calls":-1,"computeUnits":1,"upstreamLatencyMillis":1}]}""";

        assertThatThrownBy(() -> UsageBatch.parse(JSON, negative)).isInstanceOf(UsageBatch.Unreadable.class)
            .hasMessageContaining("rows[0].calls");
    }

    @Test
    void csvQuotesOnlyWhatRfc4180Requires() {
        assertThat(UsageCsv.field("eth_call")).isEqualTo("eth_call");
        assertThat(UsageCsv.field("a,b")).isEqualTo("\"a,b\"");
        assertThat(UsageCsv.field("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(UsageCsv.field("two\r\nlines")).isEqualTo("\"two\r\nlines\"");
    }

    @Test
    void csvIsAskedForOnlyWhenPreferredOverJson() {
        assertThat(UsageController.wantsCsv("text/csv")).isTrue();
        assertThat(UsageController.wantsCsv("application/json;q=0.5, text/csv")).isTrue();
        assertThat(UsageController.wantsCsv("*/*")).isFalse();
        assertThat(UsageController.wantsCsv(null)).isFalse();
        assertThat(UsageController.wantsCsv("application/json, text/csv")).isFalse();
        assertThat(UsageController.wantsCsv("not a media type")).isFalse();
    }
}
