package dev.relaygate.controlplane.usage;

import static dev.relaygate.controlplane.usage.UsageStreamFixture.append;
import static dev.relaygate.controlplane.usage.UsageStreamFixture.awaitAcknowledged;
import static dev.relaygate.controlplane.usage.UsageStreamFixture.batch;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;

import dev.relaygate.controlplane.testsupport.IntegrationTest;
import dev.relaygate.controlplane.testsupport.Tokens;
import dev.relaygate.controlplane.usage.UsageStreamFixture.Row;

/** GET /v1/organizations/{orgId}/usage: buckets, grouping, totals, CSV, input checks and tenant isolation. */
class UsageApiIT extends IntegrationTest {

    private static final String WEIRD_METHOD = "we\"ird,method";

    private String owner;

    private UUID org;

    private UUID key1;

    private UUID key2;

    @BeforeEach
    void usageOfTwoKeysOverTwoDays() {
        owner = uniqueSubject("owner");
        org = createOrganization(owner);
        key1 = UUID.fromString((String) createKey(owner, org).get("id"));
        key2 = UUID.fromString((String) createKey(owner, org).get("id"));
        append(redis(), batch("api-a-" + org, List.of(
                row("2026-04-01T00:05:00Z", key1, "anvil", "eth_call", "ok", 10, 100),
                row("2026-04-01T00:59:00Z", key2, "anvil", "eth_getLogs", "rpc_error", 2, 40),
                row("2026-04-01T01:10:00Z", key1, "base", "eth_call", "rate_limited", 5, 0))));
        String last = append(redis(), batch("api-b-" + org, List.of(
                row("2026-04-01T02:00:00Z", key2, "base", WEIRD_METHOD, "upstream_error", 1, 0),
                row("2026-04-02T12:00:00Z", key1, "anvil", "eth_call", "ok", 7, 70))));
        awaitAcknowledged(redis(), last);
    }

    @Test
    void hourBucketsSumEveryKeyChainAndMethod() {
        Map<String, Object> report = get("from=2026-04-01T00:00:00Z&to=2026-04-01T03:00:00Z&granularity=hour");

        assertThat(report).containsEntry("granularity", "hour").doesNotContainKey("groupBy");
        assertThat(rows(report)).containsExactly(
                Map.of("start", "2026-04-01T00:00:00Z", "calls", 12, "computeUnits", 140, "errors", 2,
                        "rateLimited", 0),
                Map.of("start", "2026-04-01T01:00:00Z", "calls", 0, "computeUnits", 0, "errors", 0, "rateLimited", 5),
                Map.of("start", "2026-04-01T02:00:00Z", "calls", 1, "computeUnits", 0, "errors", 1, "rateLimited", 0));
        assertThat(report.get("totals")).isEqualTo(Map.of("calls", 13, "computeUnits", 140, "errors", 3,
                "rateLimited", 5));
    }

    @Test
    void onlyBucketsStartingInsideTheRangeAreAnswered() {
        Map<String, Object> report = get("from=2026-04-01T01:30:00Z&to=2026-04-02T00:00:00Z&granularity=hour");

        assertThat(rows(report)).extracting(row -> row.get("start")).containsExactly("2026-04-01T02:00:00Z");
    }

    @Test
    void dayBucketsGroupedByChainComeFromTheDailyTable() {
        Map<String, Object> report = get("from=2026-04-01&to=2026-04-03&granularity=day&groupBy=chain");

        assertThat(report).containsEntry("groupBy", "chain");
        assertThat(rows(report)).containsExactly(
                Map.of("start", "2026-04-01T00:00:00Z", "group", "anvil", "calls", 12, "computeUnits", 140,
                        "errors", 2, "rateLimited", 0),
                Map.of("start", "2026-04-01T00:00:00Z", "group", "base", "calls", 1, "computeUnits", 0, "errors", 1,
                        "rateLimited", 5),
                Map.of("start", "2026-04-02T00:00:00Z", "group", "anvil", "calls", 7, "computeUnits", 70, "errors", 0,
                        "rateLimited", 0));
        assertThat(report.get("totals")).isEqualTo(Map.of("calls", 20, "computeUnits", 210, "errors", 3,
                "rateLimited", 5));
    }

    @Test
    void groupedByKeyEachKeyHasItsOwnRows() {
        Map<String, Object> report = get("from=2026-04-01&to=2026-04-03&groupBy=key");

        assertThat(report).containsEntry("granularity", "day");
        assertThat(rows(report)).containsExactlyInAnyOrder(
                Map.of("start", "2026-04-01T00:00:00Z", "group", key1.toString(), "calls", 10, "computeUnits", 100,
                        "errors", 0, "rateLimited", 5),
                Map.of("start", "2026-04-01T00:00:00Z", "group", key2.toString(), "calls", 3, "computeUnits", 40,
                        "errors", 3, "rateLimited", 0),
                Map.of("start", "2026-04-02T00:00:00Z", "group", key1.toString(), "calls", 7, "computeUnits", 70,
                        "errors", 0, "rateLimited", 0));
    }

    @Test
    void csvHasAHeaderRowAndQuotesFieldsAsRfc4180Says() {
        String csv = http.get()
            .uri("/v1/organizations/{org}/usage?from=2026-04-01T00:00:00Z&to=2026-04-01T03:00:00Z&granularity=hour"
                    + "&groupBy=method", org)
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(owner)))
            .accept(MediaType.parseMediaType("text/csv"))
            .exchange()
            .expectStatus().isOk()
            .expectHeader().contentTypeCompatibleWith(MediaType.parseMediaType("text/csv"))
            .expectBody(String.class).returnResult().getResponseBody();

        assertThat(csv).isEqualTo("start,method,calls,computeUnits,errors,rateLimited\r\n"
                + "2026-04-01T00:00:00Z,eth_call,10,100,0,0\r\n"
                + "2026-04-01T00:00:00Z,eth_getLogs,2,40,2,0\r\n"
                + "2026-04-01T01:00:00Z,eth_call,0,0,0,5\r\n"
                + "2026-04-01T02:00:00Z,\"we\"\"ird,method\",1,0,1,0\r\n");
    }

    @Test
    void badInputIsRefusedWithProblemDetails() {
        Map<String, String> cases = Map.of(
                "to=2026-04-02", "from",
                "from=yesterday&to=2026-04-02", "from",
                "from=2026-04-02&to=2026-04-01", "to",
                "from=2026-01-01&to=2026-03-01&granularity=hour", "to",
                "from=2026-01-01&to=2027-03-01", "to",
                "from=2026-04-01&to=2026-04-02&granularity=week", "granularity",
                "from=2026-04-01&to=2026-04-02&groupBy=outcome", "groupBy");
        cases.forEach((query, field) -> http.get()
            .uri("/v1/organizations/" + org + "/usage?" + query)
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.user(owner)))
            .exchange()
            .expectStatus().isBadRequest()
            .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .expectBody()
            .jsonPath("$.status").isEqualTo(400)
            .jsonPath("$.errors[0].field").isEqualTo(field));
    }

    @Test
    void anotherOrganizationsUsageIsNotFound() {
        String stranger = uniqueSubject("stranger");
        createOrganization(stranger);

        call(Tokens.user(stranger), HttpMethod.GET, "/v1/organizations/" + org + "/usage?from=2026-04-01&to=2026-04-03",
                null)
            .expectStatus().isNotFound()
            .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

    private Row row(String minute, UUID key, String chain, String method, String outcome, long calls, long units) {
        return new Row(Instant.parse(minute), org, key, chain, method, outcome, calls, units, 3 * calls);
    }

    private Map<String, Object> get(String query) {
        return ok(owner, HttpMethod.GET, "/v1/organizations/" + org + "/usage?" + query, null, 200);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rows(Map<String, Object> report) {
        return (List<Map<String, Object>>) report.get("rows");
    }
}
