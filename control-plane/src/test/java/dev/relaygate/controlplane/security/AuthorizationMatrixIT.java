package dev.relaygate.controlplane.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.springframework.http.HttpMethod;

import dev.relaygate.controlplane.testsupport.StripeIntegrationTest;
import dev.relaygate.controlplane.testsupport.Tokens;

/**
 * Every endpoint × every role (plus a non-member and no token) with the expected status. Each case gets a fresh
 * organization, so mutations of one case cannot affect another. Billing is on (against the Stripe stub), so the
 * billing rows show real successes, not "billing not configured".
 */
class AuthorizationMatrixIT extends StripeIntegrationTest {

    /** A plan sold through Stripe, created once, for the checkout row. */
    private static volatile String paidPlanId;

    private static final List<String> ACTORS = List.of("owner", "admin", "developer", "billing", "viewer",
            "non-member", "no-token");

    /** One endpoint: how to call it on a fixture, and the expected status per actor. */
    private record Endpoint(String name, HttpMethod method, Function<Fixture, String> path,
            Function<Fixture, Object> body, Map<String, Integer> expected) {

        Endpoint {
            // A literal null body selects this constructor: no body.
            body = body == null ? f -> null : body;
        }

        Endpoint(String name, HttpMethod method, Function<Fixture, String> path, Object body,
                Map<String, Integer> expected) {
            this(name, method, path, f -> body, expected);
        }
    }

    /** A fresh organization with one key and one disposable viewer member, and the acting subject. */
    private record Fixture(UUID org, String keyId, String targetMemberId, String actor) {
    }

    private static Map<String, Integer> expect(int owner, int admin, int developer, int billing, int viewer) {
        return Map.of("owner", owner, "admin", admin, "developer", developer, "billing", billing, "viewer", viewer,
                "non-member", 404, "no-token", 401);
    }

    private static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("read organization", HttpMethod.GET, f -> "/v1/organizations/" + f.org(), null,
                    expect(200, 200, 200, 200, 200)),
            new Endpoint("rename organization", HttpMethod.PATCH, f -> "/v1/organizations/" + f.org(),
                    Map.of("name", "renamed"), expect(200, 200, 403, 403, 403)),
            new Endpoint("assign plan", HttpMethod.PUT, f -> "/v1/organizations/" + f.org() + "/plan",
                    Map.of("planId", "00000000-0000-0000-0000-00000000f4ee"), expect(403, 403, 403, 403, 403)),
            new Endpoint("list members", HttpMethod.GET, f -> "/v1/organizations/" + f.org() + "/members", null,
                    expect(200, 200, 200, 200, 200)),
            new Endpoint("invite member", HttpMethod.POST, f -> "/v1/organizations/" + f.org() + "/members",
                    Map.of("email", "new@example.com", "role", "viewer"), expect(201, 201, 403, 403, 403)),
            new Endpoint("read member", HttpMethod.GET,
                    f -> "/v1/organizations/" + f.org() + "/members/" + f.targetMemberId(), null,
                    expect(200, 200, 200, 200, 200)),
            new Endpoint("change member role", HttpMethod.PATCH,
                    f -> "/v1/organizations/" + f.org() + "/members/" + f.targetMemberId(), Map.of("role", "billing"),
                    expect(200, 200, 403, 403, 403)),
            new Endpoint("remove member", HttpMethod.DELETE,
                    f -> "/v1/organizations/" + f.org() + "/members/" + f.targetMemberId(), null,
                    expect(204, 204, 403, 403, 403)),
            new Endpoint("list keys", HttpMethod.GET, f -> "/v1/organizations/" + f.org() + "/keys", null,
                    expect(200, 200, 200, 200, 200)),
            new Endpoint("create key", HttpMethod.POST, f -> "/v1/organizations/" + f.org() + "/keys",
                    Map.of("name", "k"), expect(201, 201, 201, 403, 403)),
            new Endpoint("read key", HttpMethod.GET, f -> "/v1/organizations/" + f.org() + "/keys/" + f.keyId(), null,
                    expect(200, 200, 200, 200, 200)),
            new Endpoint("update key", HttpMethod.PATCH, f -> "/v1/organizations/" + f.org() + "/keys/" + f.keyId(),
                    Map.of("name", "renamed"), expect(200, 200, 200, 403, 403)),
            new Endpoint("rotate key", HttpMethod.POST,
                    f -> "/v1/organizations/" + f.org() + "/keys/" + f.keyId() + "/rotate", null,
                    expect(200, 200, 200, 403, 403)),
            new Endpoint("revoke key", HttpMethod.POST,
                    f -> "/v1/organizations/" + f.org() + "/keys/" + f.keyId() + "/revoke", null,
                    expect(200, 200, 200, 403, 403)),
            new Endpoint("read usage", HttpMethod.GET,
                    f -> "/v1/organizations/" + f.org() + "/usage?from=2026-04-01&to=2026-04-02", null,
                    expect(200, 200, 200, 200, 200)),
            new Endpoint("read audit log", HttpMethod.GET, f -> "/v1/organizations/" + f.org() + "/audit-log", null,
                    expect(200, 200, 403, 403, 403)),
            new Endpoint("read notification webhook", HttpMethod.GET,
                    f -> "/v1/organizations/" + f.org() + "/notifications/webhook", null,
                    expect(200, 200, 403, 403, 403)),
            new Endpoint("set notification webhook", HttpMethod.PUT,
                    f -> "/v1/organizations/" + f.org() + "/notifications/webhook",
                    Map.of("url", "https://hooks.example.com/relaygate"), expect(200, 200, 403, 403, 403)),
            new Endpoint("remove notification webhook", HttpMethod.DELETE,
                    f -> "/v1/organizations/" + f.org() + "/notifications/webhook", null,
                    expect(204, 204, 403, 403, 403)),
            new Endpoint("list notification deliveries", HttpMethod.GET,
                    f -> "/v1/organizations/" + f.org() + "/notifications/deliveries", null,
                    expect(200, 200, 403, 403, 403)),
            new Endpoint("read billing", HttpMethod.GET, f -> "/v1/organizations/" + f.org() + "/billing", null,
                    expect(200, 403, 403, 200, 403)),
            new Endpoint("start checkout", HttpMethod.POST, f -> "/v1/organizations/" + f.org() + "/billing/checkout",
                    f -> Map.of("planId", paidPlanId), expect(200, 403, 403, 200, 403)),
            new Endpoint("open billing portal", HttpMethod.POST,
                    f -> "/v1/organizations/" + f.org() + "/billing/portal", null, expect(200, 403, 403, 200, 403)),
            new Endpoint("list invoices", HttpMethod.GET,
                    f -> "/v1/organizations/" + f.org() + "/billing/invoices", null, expect(200, 403, 403, 200, 403)));

    @BeforeEach
    void stubStripe() {
        if (paidPlanId == null) {
            paidPlanId = createPaidPlan(uniquePrice());
        }
        stubCustomerCreation();
        stripe().stubFor(post(urlEqualTo("/v1/checkout/sessions")).willReturn(json("""
                {"id": "cs_test_m1", "object": "checkout.session", "mode": "subscription", "status": "open",
                 "livemode": false, "url": "https://checkout.stripe.com/c/pay/cs_test_m1"}""")));
        stripe().stubFor(post(urlEqualTo("/v1/billing_portal/sessions")).willReturn(json("""
                {"id": "bps_m1", "object": "billing_portal.session", "livemode": false,
                 "url": "https://billing.stripe.com/p/session/test_m1"}""")));
        stripe().stubFor(get(urlPathEqualTo("/v1/invoices")).willReturn(json("""
                {"object": "list", "url": "/v1/invoices", "has_more": false, "data": []}""")));
    }

    @TestFactory
    Stream<DynamicTest> everyEndpointForEveryRole() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Endpoint endpoint : ENDPOINTS) {
            for (String actor : ACTORS) {
                int expected = endpoint.expected().get(actor);
                tests.add(DynamicTest.dynamicTest(endpoint.name() + " as " + actor + " -> " + expected, () -> {
                    Fixture fixture = fixture(actor);
                    String token = actor.equals("no-token") ? null : Tokens.user(fixture.actor());
                    call(token, endpoint.method(), endpoint.path().apply(fixture), endpoint.body().apply(fixture))
                        .expectStatus().isEqualTo(expected);
                }));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> planEndpointsForUsersAndAdmins() {
        return Stream.of(
                DynamicTest.dynamicTest("list plans as user -> 200",
                        () -> call(Tokens.user("u"), HttpMethod.GET, "/v1/plans", null).expectStatus().isOk()),
                DynamicTest.dynamicTest("list plans without token -> 401",
                        () -> call(null, HttpMethod.GET, "/v1/plans", null).expectStatus().isUnauthorized()),
                DynamicTest.dynamicTest("read free plan as user -> 200",
                        () -> call(Tokens.user("u"), HttpMethod.GET, "/v1/plans/00000000-0000-0000-0000-00000000f4ee",
                                null).expectStatus().isOk()),
                DynamicTest.dynamicTest("create plan as user -> 403",
                        () -> call(Tokens.user("u"), HttpMethod.POST, "/v1/plans", Map.of("name", "x"))
                            .expectStatus().isForbidden()),
                DynamicTest.dynamicTest("edit plan as user -> 403",
                        () -> call(Tokens.user("u"), HttpMethod.PATCH,
                                "/v1/plans/00000000-0000-0000-0000-00000000f4ee", Map.of("maxBatchSize", 5))
                            .expectStatus().isForbidden()),
                DynamicTest.dynamicTest("archive plan as user -> 403",
                        () -> call(Tokens.user("u"), HttpMethod.POST,
                                "/v1/plans/00000000-0000-0000-0000-00000000f4ee/archive", null)
                            .expectStatus().isForbidden()),
                DynamicTest.dynamicTest("assign plan as platform admin (non-member) -> 200",
                        () -> {
                            UUID org = createOrganization(uniqueSubject("owner"));
                            call(Tokens.admin("platform-admin"), HttpMethod.PUT, "/v1/organizations/" + org + "/plan",
                                    Map.of("planId", "00000000-0000-0000-0000-00000000f4ee")).expectStatus().isOk();
                        }));
    }

    private Fixture fixture(String actor) {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        String keyId = (String) createKey(owner, org).get("id");
        String target = (String) ok(owner, HttpMethod.POST, "/v1/organizations/" + org + "/members",
                Map.of("subject", uniqueSubject("target"), "role", "viewer"), 201).get("id");
        String subject = switch (actor) {
            case "owner" -> owner;
            case "non-member", "no-token" -> createOrganizationOwner();
            default -> {
                String member = uniqueSubject(actor);
                ok(owner, HttpMethod.POST, "/v1/organizations/" + org + "/members",
                        Map.of("subject", member, "role", actor), 201);
                yield member;
            }
        };
        return new Fixture(org, keyId, target, subject);
    }

    /** A subject that owns an organization of its own, so it is a real user, just not a member here. */
    private String createOrganizationOwner() {
        String stranger = uniqueSubject("stranger");
        createOrganization(stranger);
        return stranger;
    }
}
