package dev.relaygate.controlplane.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.springframework.http.HttpMethod;

import dev.relaygate.controlplane.testsupport.IntegrationTest;
import dev.relaygate.controlplane.testsupport.Tokens;

/**
 * Tenant isolation over generated data: every member (of every role) of one organization, against every
 * resource (the organization, its keys, its members) of every other organization. Every read, update and delete
 * answers 404, and afterwards nothing has changed.
 */
class TenantIsolationIT extends IntegrationTest {

    private static final int ORGANIZATIONS = 7;

    private static final List<String> ROLES = List.of("owner", "admin", "developer", "billing", "viewer");

    /** A generated organization: its members by role, its keys and two extra members to aim at. */
    private record Tenant(UUID id, Map<String, String> actors, List<String> keyIds, List<String> memberIds) {
    }

    /** One request an outsider tries. */
    private record Probe(HttpMethod method, String path, Object body) {
    }

    @TestFactory
    Stream<DynamicTest> noActorReachesAnotherOrganizationsResources() {
        List<Tenant> tenants = new ArrayList<>();
        for (int i = 0; i < ORGANIZATIONS; i++) {
            tenants.add(tenant());
        }
        List<DynamicTest> tests = new ArrayList<>();
        int pairs = 0;
        for (Tenant home : tenants) {
            for (Map.Entry<String, String> actor : home.actors().entrySet()) {
                String token = Tokens.user(actor.getValue());
                for (Tenant foreign : tenants) {
                    if (foreign == home) {
                        continue;
                    }
                    String who = actor.getKey() + " of " + home.id() + " -> ";
                    tests.add(pair(who + "organization " + foreign.id(), token, organizationProbes(foreign.id())));
                    for (String key : foreign.keyIds()) {
                        tests.add(pair(who + "key " + key, token, keyProbes(foreign.id(), key)));
                    }
                    for (String member : foreign.memberIds()) {
                        tests.add(pair(who + "member " + member, token, memberProbes(foreign.id(), member)));
                    }
                    pairs += 1 + foreign.keyIds().size() + foreign.memberIds().size();
                }
            }
        }
        assertThat(pairs).isGreaterThanOrEqualTo(1000);
        tests.add(DynamicTest.dynamicTest("nothing changed", () -> assertUnchanged(tenants)));
        return tests.stream();
    }

    private DynamicTest pair(String name, String token, List<Probe> probes) {
        return DynamicTest.dynamicTest(name, () -> {
            for (Probe probe : probes) {
                call(token, probe.method(), probe.path(), probe.body())
                    .expectStatus().value(status -> assertThat(status)
                        .as(probe.method() + " " + probe.path()).isEqualTo(404));
            }
        });
    }

    private static List<Probe> organizationProbes(UUID org) {
        String base = "/v1/organizations/" + org;
        return List.of(new Probe(HttpMethod.GET, base, null),
                new Probe(HttpMethod.PATCH, base, Map.of("name", "taken over")),
                new Probe(HttpMethod.GET, base + "/members", null),
                new Probe(HttpMethod.POST, base + "/members", Map.of("subject", "intruder", "role", "owner")),
                new Probe(HttpMethod.GET, base + "/keys", null),
                new Probe(HttpMethod.POST, base + "/keys", Map.of("name", "intruder")),
                new Probe(HttpMethod.GET, base + "/audit-log", null));
    }

    private static List<Probe> keyProbes(UUID org, String key) {
        String base = "/v1/organizations/" + org + "/keys/" + key;
        return List.of(new Probe(HttpMethod.GET, base, null),
                new Probe(HttpMethod.PATCH, base, Map.of("name", "taken over")),
                new Probe(HttpMethod.POST, base + "/rotate", null),
                new Probe(HttpMethod.POST, base + "/revoke", null));
    }

    private static List<Probe> memberProbes(UUID org, String member) {
        String base = "/v1/organizations/" + org + "/members/" + member;
        return List.of(new Probe(HttpMethod.GET, base, null),
                new Probe(HttpMethod.PATCH, base, Map.of("role", "owner")),
                new Probe(HttpMethod.DELETE, base, null));
    }

    private Tenant tenant() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        Map<String, String> actors = new LinkedHashMap<>();
        actors.put("owner", owner);
        for (String role : ROLES.subList(1, ROLES.size())) {
            String subject = uniqueSubject(role);
            ok(owner, HttpMethod.POST, "/v1/organizations/" + org + "/members", Map.of("subject", subject, "role", role),
                    201);
            actors.put(role, subject);
        }
        List<String> keys = List.of((String) createKey(owner, org).get("id"), (String) createKey(owner, org).get("id"));
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            members.add((String) ok(owner, HttpMethod.POST, "/v1/organizations/" + org + "/members",
                    Map.of("subject", uniqueSubject("target"), "role", "viewer"), 201).get("id"));
        }
        return new Tenant(org, actors, keys, members);
    }

    private void assertUnchanged(List<Tenant> tenants) {
        for (Tenant tenant : tenants) {
            Long changedKeys = db.sql("select count(*) as n from api_keys where organization_id = :org "
                    + "and (version <> 1 or revoked_at is not null or name <> :name)")
                .bind("org", tenant.id())
                .bind("name", "key of " + tenant.actors().get("owner"))
                .map(row -> row.get("n", Long.class)).one().block();
            Long members = db.sql("select count(*) as n from memberships where organization_id = :org")
                .bind("org", tenant.id())
                .map(row -> row.get("n", Long.class)).one().block();
            Long owners = db.sql("select count(*) as n from memberships where organization_id = :org and role = 'owner'")
                .bind("org", tenant.id())
                .map(row -> row.get("n", Long.class)).one().block();
            Long keys = db.sql("select count(*) as n from api_keys where organization_id = :org")
                .bind("org", tenant.id())
                .map(row -> row.get("n", Long.class)).one().block();
            String name = db.sql("select name from organizations where id = :org")
                .bind("org", tenant.id())
                .map(row -> row.get("name", String.class)).one().block();
            assertThat(changedKeys).isZero();
            assertThat(keys).isEqualTo(2);
            assertThat(members).isEqualTo(ROLES.size() + 2);
            assertThat(owners).isEqualTo(1);
            assertThat(name).isEqualTo("org of " + tenant.actors().get("owner"));
        }
    }
}
