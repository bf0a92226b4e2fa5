package dev.relaygate.controlplane.quota;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;

import dev.relaygate.controlplane.testsupport.IntegrationTest;
import dev.relaygate.controlplane.testsupport.Tokens;
import dev.relaygate.controlplane.usage.UsageStreamFixture;

/** The current-period quota status, from usage fed through rg:usage as gateways send it. */
class QuotaStatusIT extends IntegrationTest {

    @Test
    void showsTheOrganizationsMonthlyQuotaAndEachCappedKeysCapsWithWhatWasCharged() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        Map<String, Object> capped = ok(owner, HttpMethod.POST, "/v1/organizations/" + org + "/keys",
                Map.of("name", "browser", "policy", Map.of("dailyComputeUnits", 100, "monthlyComputeUnits", 1_000)),
                201);
        Map<String, Object> uncapped = createKey(owner, org);
        UUID cappedId = UUID.fromString((String) capped.get("id"));
        UUID uncappedId = UUID.fromString((String) uncapped.get("id"));
        Instant now = clock.instant();
        Instant yesterday = now.minus(1, ChronoUnit.DAYS);
        Instant lastMonth = LocalDate.ofInstant(now, ZoneOffset.UTC).withDayOfMonth(1).minusDays(1)
            .atStartOfDay(ZoneOffset.UTC).toInstant();
        feed(org, cappedId, now, 40);
        feed(org, cappedId, yesterday, 60);
        feed(org, uncappedId, now, 25);
        feed(org, cappedId, lastMonth, 5_000);
        boolean yesterdayThisMonth = yesterday.atOffset(ZoneOffset.UTC).getMonth() == now.atOffset(ZoneOffset.UTC).getMonth();
        long cappedThisMonth = 40 + (yesterdayThisMonth ? 60 : 0);
        String nextMonth = LocalDate.ofInstant(now, ZoneOffset.UTC).withDayOfMonth(1).plusMonths(1)
            .atStartOfDay(ZoneOffset.UTC).toInstant().toString();

        call(Tokens.user(owner), HttpMethod.GET, "/v1/organizations/" + org + "/quota", null)
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.periodEnd").isEqualTo(nextMonth)
            .jsonPath("$.organization.limit").isEqualTo(30_000_000)
            .jsonPath("$.organization.used").isEqualTo(cappedThisMonth + 25)
            .jsonPath("$.organization.resetsAt").isEqualTo(nextMonth)
            .jsonPath("$.keys.length()").isEqualTo(1)
            .jsonPath("$.keys[0].keyId").isEqualTo(cappedId.toString())
            .jsonPath("$.keys[0].daily.limit").isEqualTo(100)
            .jsonPath("$.keys[0].daily.used").isEqualTo(40)
            .jsonPath("$.keys[0].daily.remaining").isEqualTo(60)
            .jsonPath("$.keys[0].daily.percentUsed").isEqualTo(40.0)
            .jsonPath("$.keys[0].monthly.limit").isEqualTo(1_000)
            .jsonPath("$.keys[0].monthly.used").isEqualTo(cappedThisMonth);
    }

    @Test
    void aNonMemberGetsNotFound() {
        UUID org = createOrganization(uniqueSubject("owner"));

        call(Tokens.user(uniqueSubject("stranger")), HttpMethod.GET, "/v1/organizations/" + org + "/quota", null)
            .expectStatus().isNotFound()
            .expectHeader().contentType("application/problem+json");
    }

    private void feed(UUID org, UUID key, Instant minute, long computeUnits) {
        UsageStreamFixture.Row row = new UsageStreamFixture.Row(minute.truncatedTo(ChronoUnit.MINUTES), org, key,
                "eth-mainnet", "eth_call", "ok", 1, computeUnits, 12);
        String id = UsageStreamFixture.append(redis(), UsageStreamFixture.batch("quota-" + UUID.randomUUID(),
                List.of(row)));
        UsageStreamFixture.awaitAcknowledged(redis(), id);
    }
}
