package dev.relaygate.controlplane.observability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.relaygate.controlplane.testsupport.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tracing of the control plane (issue #18), sampled at 1.0 and exported over OTLP/HTTP to a stub collector
 * (WireMock) whose requests are decoded with the OTLP protobuf classes: a REST call is one trace, its server span the
 * root, and each of its database queries a span below it; the key's secret appears nowhere in what is exported.
 */
class TracingIT extends IntegrationTest {

    static final WireMockServer COLLECTOR = started();

    @DynamicPropertySource
    static void traced(DynamicPropertyRegistry properties) {
        properties.add("management.opentelemetry.tracing.export.otlp.endpoint", () -> COLLECTOR.baseUrl() + "/v1/traces");
        properties.add("management.opentelemetry.tracing.export.schedule-delay", () -> "100ms");
        properties.add("management.tracing.sampling.probability", () -> "1.0");
    }

    @Test
    void aRestCallIsOneTraceWithItsDatabaseQueriesUnderTheServerSpan() throws IOException {
        COLLECTOR.stubFor(WireMock.post("/v1/traces").willReturn(WireMock.ok()));
        String subject = "traced-" + UUID.randomUUID();
        UUID organization = createOrganization(subject);

        Map<String, Object> created = createKey(subject, organization);
        String secret = (String) created.get("secret");
        assertThat(secret).startsWith("rgk_");

        String route = "/v1/organizations/{orgId}/keys";
        Span server = await().atMost(Duration.ofSeconds(30)).until(() -> exported().stream()
                .filter(span -> span.getKind() == Span.SpanKind.SPAN_KIND_SERVER)
                .filter(span -> "POST".equals(attributes(span).get("method"))
                        && attributes(span).getOrDefault("uri", "").startsWith("/v1/organizations/{")
                        && attributes(span).getOrDefault("uri", "").endsWith("/keys"))
                .findFirst().orElse(null), span -> span != null);
        assertThat(server.getParentSpanId().isEmpty()).as("the server span of %s is a root", route).isTrue();

        List<Span> trace = await().atMost(Duration.ofSeconds(30)).until(() -> exported().stream()
                .filter(span -> span.getTraceId().equals(server.getTraceId()))
                .toList(), spans -> spans.stream().anyMatch(TracingIT::isQuery));
        // What was exported, for whoever reads a failure (and docs/observability.md's span names).
        Files.writeString(Path.of("target", "control-plane-trace.txt"), trace.stream()
            .map(span -> span.getName() + " " + span.getKind() + " " + attributes(span).keySet())
            .collect(Collectors.joining("\n")));
        List<Span> queries = trace.stream().filter(TracingIT::isQuery).toList();
        assertThat(queries).isNotEmpty();
        for (Span query : queries) {
            assertThat(descendsFrom(query, server, trace)).as("query span %s under the server span", query.getName())
                .isTrue();
        }

        for (LoggedRequest sent : COLLECTOR.findAll(WireMock.postRequestedFor(WireMock.urlEqualTo("/v1/traces")))) {
            assertThat(new String(sent.getBody(), StandardCharsets.ISO_8859_1)).doesNotContain(secret.substring(12));
        }
    }

    /** An R2DBC query span (r2dbc-proxy's observation): named after R2DBC, with the database's attributes. */
    private static boolean isQuery(Span span) {
        return span.getName().startsWith("r2dbc") || span.getName().equals("query")
                || attributes(span).keySet().stream().anyMatch(key -> key.startsWith("r2dbc") || key.startsWith("db."));
    }

    private static boolean descendsFrom(Span span, Span ancestor, List<Span> trace) {
        Map<com.google.protobuf.ByteString, Span> byId = trace.stream()
            .collect(Collectors.toMap(Span::getSpanId, s -> s, (a, b) -> a));
        Span current = span;
        for (int depth = 0; depth < 32 && current != null; depth++) {
            if (current.getParentSpanId().equals(ancestor.getSpanId())) {
                return true;
            }
            current = byId.get(current.getParentSpanId());
        }
        return false;
    }

    private static List<Span> exported() {
        List<Span> spans = new ArrayList<>();
        for (LoggedRequest sent : COLLECTOR.findAll(WireMock.postRequestedFor(WireMock.urlEqualTo("/v1/traces")))) {
            try {
                for (ResourceSpans resource : ExportTraceServiceRequest.parseFrom(sent.getBody()).getResourceSpansList()) {
                    for (ScopeSpans scope : resource.getScopeSpansList()) {
                        spans.addAll(scope.getSpansList());
                    }
                }
            }
            catch (InvalidProtocolBufferException notOtlp) {
                throw new AssertionError("The collector received something that is not OTLP protobuf", notOtlp);
            }
        }
        return spans;
    }

    private static Map<String, String> attributes(Span span) {
        return span.getAttributesList().stream()
            .collect(Collectors.toMap(KeyValue::getKey, attribute -> attribute.getValue().getStringValue(), (a, b) -> b));
    }

    private static WireMockServer started() {
        WireMockServer server = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        return server;
    }
}
