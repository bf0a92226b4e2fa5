package dev.relaygate.gateway.observability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.relaygate.gateway.testsupport.GatewayIntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tracing and the access log of {@code /v1} (issue #18), sampled at 1.0 and exported over OTLP/HTTP to a stub
 * collector (WireMock), whose requests are decoded with the OTLP protobuf classes: one trace per relayed request, the
 * request span with the key check, the rate-limit decision and each upstream attempt as children, the trace context
 * sent upstream, and neither the API key nor the upstream's url anywhere in what is exported or logged.
 */
@ExtendWith(OutputCaptureExtension.class)
class TracingIT extends GatewayIntegrationTest {

    static final WireMockServer COLLECTOR = started();

    static final WireMockServer NODE = started();

    /** A credential in the upstream's url, as providers put them: it must not reach a span either. */
    static final String NODE_SECRET = "/v3/node-secret-project-key";

    /** How much of a key may be shown (the display prefix); what follows is secret. */
    static final int KEY_SHOWN = 12;

    @DynamicPropertySource
    static void tracedAndLogged(DynamicPropertyRegistry properties) {
        properties.add("management.opentelemetry.tracing.export.otlp.endpoint", () -> COLLECTOR.baseUrl() + "/v1/traces");
        properties.add("management.opentelemetry.tracing.export.schedule-delay", () -> "100ms");
        properties.add("management.tracing.sampling.probability", () -> "1.0");
        properties.add("relaygate.access-log.enabled", () -> "true");
        properties.add("relaygate.chains[1].id", () -> "traced");
        properties.add("relaygate.chains[1].upstreams[0].url", () -> NODE.baseUrl() + NODE_SECRET);
        properties.add("relaygate.chains[1].upstreams[0].name", () -> "node-a");
    }

    @Test
    void aRelayedRequestIsOneTraceWithTheKeyRateLimitAndUpstreamSpansUnderTheRequestSpan() {
        stubCollectorAndNode();
        String key = activeKey();
        String requestId = "trace-" + UUID.randomUUID();

        relay(key, requestId, null);

        Span request = awaitRequestSpan(requestId);
        // Spans reach the collector in batches, a child possibly after its parent.
        List<Span> trace = await().atMost(Duration.ofSeconds(30))
            .until(() -> spansOf(request.getTraceId().toByteArray()), spans -> spans.stream().map(Span::getName)
                .collect(Collectors.toSet())
                .containsAll(List.of(RequestTrace.KEY, RequestTrace.RATE_LIMIT, RequestTrace.UPSTREAM)));
        Map<String, List<Span>> byName = trace.stream().collect(Collectors.groupingBy(Span::getName));
        assertThat(byName.keySet()).contains(RequestTrace.KEY, RequestTrace.RATE_LIMIT, RequestTrace.UPSTREAM);
        for (String child : List.of(RequestTrace.KEY, RequestTrace.RATE_LIMIT, RequestTrace.UPSTREAM)) {
            assertThat(byName.get(child)).as(child).hasSize(1)
                .allSatisfy(span -> assertThat(span.getParentSpanId()).isEqualTo(request.getSpanId()));
        }
        assertThat(request.getParentSpanId().isEmpty()).as("the request span is a root").isTrue();
        assertThat(attributes(request)).containsEntry(RequestTrace.CHAIN, "traced")
            .containsEntry(RequestTrace.METHOD, "eth_blockNumber")
            .containsEntry(RequestTrace.STATUS, "200")
            .containsEntry(RequestTrace.ATTEMPTS, "1");
        assertThat(attributes(byName.get(RequestTrace.UPSTREAM).get(0)))
            .containsEntry(RequestTrace.UPSTREAM_NAME, "node-a")
            .containsEntry(RequestTrace.ATTEMPT, "1")
            .containsEntry(RequestTrace.OUTCOME, "ok");
        assertThat(attributes(byName.get(RequestTrace.RATE_LIMIT).get(0))).containsEntry(RequestTrace.OUTCOME, "allowed");
        assertThat(attributes(byName.get(RequestTrace.KEY).get(0))).containsKey(RequestTrace.KEY_ID);

        // The upstream received the attempt's trace context.
        String traceId = hex(request.getTraceId().toByteArray());
        List<String> traceparents = NODE.findAll(WireMock.postRequestedFor(WireMock.urlEqualTo(NODE_SECRET))).stream()
            .map(sent -> sent.getHeader("traceparent"))
            .filter(header -> header != null && header.contains(traceId))
            .toList();
        assertThat(traceparents).containsExactly("00-" + traceId + "-"
                + hex(byName.get(RequestTrace.UPSTREAM).get(0).getSpanId().toByteArray()) + "-01");

        assertNothingExportedCarries(key.substring(KEY_SHOWN));
        assertNothingExportedCarries(NODE_SECRET);
    }

    @Test
    void aCallersTraceparentMakesTheRequestSpanItsChild() {
        stubCollectorAndNode();
        String key = activeKey();
        String requestId = "trace-" + UUID.randomUUID();
        String callerTrace = UUID.randomUUID().toString().replace("-", "");
        String callerSpan = "00f067aa0ba902b7";

        relay(key, requestId, "00-" + callerTrace + "-" + callerSpan + "-01");

        Span request = awaitRequestSpan(requestId);
        assertThat(hex(request.getTraceId().toByteArray())).isEqualTo(callerTrace);
        assertThat(hex(request.getParentSpanId().toByteArray())).isEqualTo(callerSpan);
    }

    @Test
    void theAccessLogHasOneLinePerRequestWithItsFieldsAndNeverTheKey(CapturedOutput logs) {
        stubCollectorAndNode();
        String key = activeKey();
        String requestId = "log-" + UUID.randomUUID();

        relay(key, requestId, null);

        await().atMost(Duration.ofSeconds(20)).until(() -> logs.getOut().contains("request_id=" + requestId));
        List<String> lines = logs.getOut().lines().filter(line -> line.contains("request_id=" + requestId)).toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).contains(AccessLog.LOGGER)
            .containsPattern("trace_id=[0-9a-f]{32} ")
            .contains("key_prefix=" + key.substring(0, 12) + " ")
            .contains("chain=traced ", "method=eth_blockNumber ", "status=200 ", "upstream_attempts=1")
            .containsPattern("latency_ms=\\d+ ");
        assertThat(logs.getAll()).doesNotContain(key).doesNotContain(key.substring(KEY_SHOWN));
    }

    private void relay(String key, String requestId, String traceparent) {
        var call = client.post().uri("/v1/traced/" + key)
            .contentType(MediaType.APPLICATION_JSON)
            .header(RequestIds.HEADER, requestId);
        if (traceparent != null) {
            call = call.header("traceparent", traceparent);
        }
        call.bodyValue("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}")
            .exchange()
            .expectStatus().isOk()
            .expectBody().jsonPath("$.result").isEqualTo("0x10");
    }

    private static void stubCollectorAndNode() {
        COLLECTOR.stubFor(WireMock.post("/v1/traces").willReturn(WireMock.ok()));
        NODE.stubFor(WireMock.post(NODE_SECRET).willReturn(WireMock.okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x10\"}")));
    }

    private static Span awaitRequestSpan(String requestId) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> exported().stream()
                .filter(span -> span.getName().equals(RequestTrace.REQUEST))
                .filter(span -> requestId.equals(attributes(span).get(RequestTrace.REQUEST_ID)))
                .findFirst().orElse(null), span -> span != null);
    }

    /** The spans of one trace exported so far. */
    private static List<Span> spansOf(byte[] traceId) {
        String id = hex(traceId);
        return exported().stream().filter(span -> hex(span.getTraceId().toByteArray()).equals(id)).toList();
    }

    private static List<Span> exported() {
        List<Span> spans = new ArrayList<>();
        for (LoggedRequest sent : COLLECTOR.findAll(WireMock.postRequestedFor(WireMock.urlEqualTo("/v1/traces")))) {
            try {
                ExportTraceServiceRequest export = ExportTraceServiceRequest.parseFrom(sent.getBody());
                for (ResourceSpans resource : export.getResourceSpansList()) {
                    for (ScopeSpans scope : resource.getScopeSpansList()) {
                        spans.addAll(scope.getSpansList());
                    }
                }
            }
            catch (com.google.protobuf.InvalidProtocolBufferException notOtlp) {
                throw new AssertionError("The collector received something that is not OTLP protobuf", notOtlp);
            }
        }
        return spans;
    }

    private static void assertNothingExportedCarries(String secret) {
        for (LoggedRequest sent : COLLECTOR.findAll(WireMock.postRequestedFor(WireMock.urlEqualTo("/v1/traces")))) {
            assertThat(new String(sent.getBody(), java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(secret);
        }
        for (Span span : exported()) {
            assertThat(attributes(span).values()).noneMatch(value -> value.contains(secret));
        }
    }

    private static Map<String, String> attributes(Span span) {
        return span.getAttributesList().stream().collect(Collectors.toMap(KeyValue::getKey, TracingIT::text,
                (a, b) -> b));
    }

    private static String text(KeyValue attribute) {
        var value = attribute.getValue();
        return switch (value.getValueCase()) {
            case INT_VALUE -> Long.toString(value.getIntValue());
            case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
            case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
            default -> value.getStringValue();
        };
    }

    private static String hex(byte[] bytes) {
        StringBuilder hex = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return hex.toString();
    }

    private static WireMockServer started() {
        WireMockServer server = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        return server;
    }
}
