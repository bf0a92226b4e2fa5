package dev.relaygate.controlplane.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.relaygate.controlplane.testsupport.IntegrationTest;
import dev.relaygate.controlplane.testsupport.Tokens;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every JSON request body of the REST API, as the committed OpenAPI document lists them, with hostile content: NUL
 * and control characters, unpaired surrogates, 10,000-character texts, huge, negative and fractional numbers, wrong
 * types, unknown enum values, nesting 1,000 deep, an empty body, invalid JSON, arrays for objects. Each case changes
 * one field of a valid body, so the field at fault is the one changed. No answer may be a 5xx; every refusal is
 * {@code application/problem+json} without a stack trace (issue #18).
 * <p>
 * The Stripe webhook is left out: its body is raw bytes checked against a signature, not JSON read by the API
 * (StripeWebhookIT). Billing is off here, so a checkout whose body is valid answers 503, as documented.
 */
class RequestBodyFuzzIT extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final JsonNode API = readApi();

    private static final String OWNER = "fuzz-owner-" + UUID.randomUUID();

    /** The ids of the fixture, created once for the whole class by the first case. */
    private static Map<String, String> ids;

    /** A valid body for each schema, which the cases change one field at a time. */
    private static final Map<String, String> VALID = Map.ofEntries(
            Map.entry("CreateOrganizationRequest", "{\"name\":\"fuzz\"}"),
            Map.entry("UpdateOrganizationRequest", "{\"name\":\"fuzz\"}"),
            Map.entry("CheckoutRequest", "{\"planId\":\"00000000-0000-0000-0000-00000000f4ee\"}"),
            Map.entry("AssignPlanRequest", "{\"planId\":\"00000000-0000-0000-0000-00000000f4ee\"}"),
            Map.entry("CreateApiKeyRequest", "{\"name\":\"fuzz\",\"policy\":{}}"),
            Map.entry("UpdateApiKeyRequest", "{\"name\":\"fuzz\",\"policy\":{}}"),
            Map.entry("RotateApiKeyRequest", "{\"gracePeriodSeconds\":60}"),
            Map.entry("InviteMemberRequest", "{\"subject\":\"fuzz-invitee\",\"role\":\"viewer\"}"),
            Map.entry("UpdateMemberRequest", "{\"role\":\"viewer\"}"),
            Map.entry("PlanRequest", "{\"name\":\"fuzz\",\"computeUnitsPerSecond\":10,\"burstComputeUnits\":20,"
                    + "\"computeUnitsPerMinute\":600,\"monthlyComputeUnits\":1000000,\"maxBatchSize\":10,"
                    + "\"maxBodyBytes\":65536,\"allowedChains\":[],\"methodClasses\":[\"standard\"],"
                    + "\"publicPlan\":false}"),
            Map.entry("SetWebhookRequest", "{\"url\":\"http://127.0.0.1:9/hook\",\"rotateSecret\":false}"));

    private static final String DEEP_ARRAY = "[".repeat(1000) + "]".repeat(1000);

    private static final String DEEP_OBJECT = "{\"a\":".repeat(1000) + "1" + "}".repeat(1000);

    /** Whole bodies that are not the object the operation reads. */
    private static final List<String> BODIES = List.of("", "{", "{\"name\":", "[]", "[{}]", "\"text\"", "42", "null",
            DEEP_ARRAY, DEEP_OBJECT, "{\"name\":\"a\u0001b\"}", "{\"a\":1,\"a\":2}");

    private static final List<String> TEXTS = List.of("\"a\\u0000b\"", "\"\\ud800\"", "\"x\\udc00\"",
            "\"\\u0001\\u0007\\u001b\\u007f\"", "\"" + "x".repeat(10_000) + "\"", "123", "{}", "[]");

    private static final List<String> NUMBERS = List.of("\"abc\"", "1e400", "99999999999999999999", "-1",
            "-99999999999999999999", "1.5", "9223372036854775807", "[]", "\"\\u0000\"");

    private static final List<String> BOOLEANS = List.of("\"yes\"", "2", "{}");

    private static final List<String> ARRAYS = List.of("[\"nonsense\"]", "[null]", "\"x\"", "[\"a\\u0000b\"]",
            "[\"\\ud800\"]", "[{}]", "[" + "\"a\",".repeat(1000) + "\"a\"]", DEEP_ARRAY);

    private static final List<String> TIMESTAMPS = List.of("\"not a time\"", "\"+1000000000-01-01T00:00:00Z\"",
            "\"-1000000000-01-01T00:00:00Z\"", "\"0000-01-01T00:00:00Z\"", "1e400", "-99999999999999999999");

    private static final List<String> OBJECTS = List.of("[]", "\"x\"", "7", DEEP_OBJECT);

    record Case(String operation, HttpMethod method, String path, String field, String body) {

        @Override
        public String toString() {
            String shown = body.length() > 60 ? body.substring(0, 60) + "…(" + body.length() + ")" : body;
            return operation + " " + field + " = " + shown;
        }
    }

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = API.get("paths").properties().iterator(); paths.hasNext();) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
                JsonNode schema = operation.getValue().path("requestBody").path("content").path("application/json")
                    .path("schema");
                if (schema.isMissingNode()) {
                    continue;
                }
                String schemaName = schema.get("$ref").asString().replace("#/components/schemas/", "");
                HttpMethod method = HttpMethod.valueOf(operation.getKey().toUpperCase());
                String name = method + " " + path.getKey();
                for (String body : BODIES) {
                    cases.add(new Case(name, method, path.getKey(), "(body)", body));
                }
                ObjectNode valid = (ObjectNode) JSON.readTree(VALID.get(schemaName));
                fieldCases(cases, name, method, path.getKey(), valid, "", schemaName);
            }
        }
        return cases.stream();
    }

    private static void fieldCases(List<Case> cases, String name, HttpMethod method, String path, ObjectNode valid,
            String prefix, String schemaName) {
        JsonNode properties = API.get("components").get("schemas").get(schemaName).get("properties");
        for (Map.Entry<String, JsonNode> property : properties.properties()) {
            JsonNode type = property.getValue();
            String field = prefix + property.getKey();
            List<String> values = new ArrayList<>();
            if (type.has("$ref")) {
                values.addAll(OBJECTS);
                // The nested object's own fields, each changed inside an otherwise valid nested object.
                String nested = type.get("$ref").asString().replace("#/components/schemas/", "");
                ObjectNode inner = valid.has(property.getKey()) ? (ObjectNode) valid.get(property.getKey())
                        : JSON.createObjectNode();
                List<Case> innerCases = new ArrayList<>();
                fieldCases(innerCases, name, method, path, inner, field + ".", nested);
                for (Case inside : innerCases) {
                    cases.add(new Case(name, method, path, inside.field(),
                            with(valid, property.getKey(), inside.body())));
                }
            }
            else {
                values.addAll(values(type));
            }
            for (String value : values) {
                cases.add(new Case(name, method, path, field, with(valid, property.getKey(), value)));
            }
        }
    }

    private static List<String> values(JsonNode type) {
        String kind = type.path("type").asString("");
        if (type.has("enum")) {
            List<String> values = new ArrayList<>(TEXTS);
            values.add("\"nonsense\"");
            return values;
        }
        if ("date-time".equals(type.path("format").asString(""))) {
            return TIMESTAMPS;
        }
        return switch (kind) {
            case "integer", "number" -> NUMBERS;
            case "boolean" -> BOOLEANS;
            case "array" -> ARRAYS;
            case "object" -> OBJECTS;
            default -> TEXTS;
        };
    }

    /** {@code valid} with {@code field} set to the raw JSON {@code value}, as text (the value may not parse). */
    private static String with(ObjectNode valid, String field, String value) {
        ObjectNode copy = valid.deepCopy();
        copy.remove(field);
        String rest = copy.toString();
        String member = JSON.writeValueAsString(field) + ":" + value;
        return rest.equals("{}") ? "{" + member + "}" : "{" + member + "," + rest.substring(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void noBodyMakesTheApiFailWithA5xxOrAnswerWithoutProblemDetails(Case c) {
        String uri = resolve(c.path());
        EntityExchangeResult<byte[]> result = http.method(c.method()).uri(uri)
            .header(HttpHeaders.AUTHORIZATION, bearer(Tokens.admin(OWNER)))
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(c.body().getBytes(StandardCharsets.UTF_8))
            .exchange()
            .expectBody().returnResult();

        int status = result.getStatus().value();
        String body = result.getResponseBody() == null ? ""
                : new String(result.getResponseBody(), StandardCharsets.UTF_8);
        boolean billingOff = status == 503 && c.path().endsWith("/billing/checkout");
        assertThat(status).as("%s answered %s", c, body).satisfiesAnyOf(
                s -> assertThat(s).isBetween(200, 299),
                s -> assertThat(s).isBetween(400, 499),
                s -> assertThat(billingOff).isTrue());
        if (status >= 400) {
            assertThat(result.getResponseHeaders().getContentType()).as("%s", c)
                .isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            assertThat(body).as("%s", c).doesNotContain("Exception").doesNotContain("\tat ")
                .doesNotContain("jackson").doesNotContain("java.");
        }
    }

    /** The path with the fixture's ids: an organization the caller owns, a key, a member and a plan in it. */
    private String resolve(String path) {
        synchronized (RequestBodyFuzzIT.class) {
            if (ids == null) {
                UUID org = createOrganization(OWNER);
                String key = (String) createKey(OWNER, org).get("id");
                String member = (String) ok(OWNER, HttpMethod.POST, "/v1/organizations/" + org + "/members",
                        Map.of("subject", "fuzz-member-" + UUID.randomUUID(), "role", "developer"), 201).get("id");
                String plan = (String) call(Tokens.admin(OWNER), HttpMethod.POST, "/v1/plans",
                        JSON.readValue(VALID.get("PlanRequest").replace("\"fuzz\"", "\"fuzz-" + UUID.randomUUID()
                                + "\""), Map.class))
                    .expectStatus().isCreated()
                    .expectBody(Map.class).returnResult().getResponseBody().get("id");
                ids = Map.of("{orgId}", org.toString(), "{keyId}", key, "{memberId}", member, "{planId}", plan);
            }
        }
        String resolved = path;
        for (Map.Entry<String, String> id : ids.entrySet()) {
            resolved = resolved.replace(id.getKey(), id.getValue());
        }
        return resolved;
    }

    private static JsonNode readApi() {
        try {
            return JSON.readTree(Files.readString(Path.of("..", "docs", "openapi", "control-plane.json")));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
