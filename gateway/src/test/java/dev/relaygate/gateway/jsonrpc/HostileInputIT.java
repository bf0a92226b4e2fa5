package dev.relaygate.gateway.jsonrpc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.relaygate.gateway.testsupport.CountingUpstream;
import dev.relaygate.gateway.testsupport.GatewayIntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed and hostile requests through the whole gateway, each with the exact answer it gets: HTTP status,
 * JSON-RPC error code and id echoed, or the upstream's answer when the request is relayed. The same table is in
 * docs/json-rpc-errors.md. None may get a 5xx, a stack trace, or a body that is not JSON-RPC, and none may put the
 * caller's key in a log line.
 * <p>
 * Each row is sent on a connection of its own, as a client meeting the gateway for the first time would: no row
 * depends on what an earlier one left behind (several end with the gateway closing the connection), and none can
 * lose the keep-alive race with the server's idle timeout on a pooled connection that earlier test classes of the
 * shared context left idle, which a POST cannot retry.
 */
@ExtendWith(OutputCaptureExtension.class)
class HostileInputIT extends GatewayIntegrationTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}";

    private static final int MAX_BODY = 1024 * 1024;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    private int port;

    private WebTestClient freshConnections;

    @BeforeEach
    void clientWithoutAPool() {
        freshConnections = WebTestClient
            .bindToServer(new ReactorClientHttpConnector(HttpClient.newConnection()))
            .baseUrl("http://127.0.0.1:" + port)
            .responseTimeout(Duration.ofSeconds(30))
            .build();
    }

    static Stream<Hostile> hostileInputs() {
        return Stream.of(
            // Not JSON at all, or not one JSON value: -32700, id null, nothing relayed.
            post("empty body", "").expect(error(400, -32700, "null")),
            post("whitespace only", " \r\n\t ").expect(error(400, -32700, "null")),
            post("truncated object", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"").expect(error(400, -32700, "null")),
            post("single quotes", "{'jsonrpc':'2.0','id':1,'method':'m'}").expect(error(400, -32700, "null")),
            post("trailing comma", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",}").expect(error(400, -32700, "null")),
            post("comment", "{\"jsonrpc\":\"2.0\",/* x */\"id\":1,\"method\":\"m\"}").expect(error(400, -32700, "null")),
            post("NaN in params", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":[NaN]}")
                .expect(error(400, -32700, "null")),
            post("trailing garbage", CALL + " x").expect(error(400, -32700, "null")),
            post("two concatenated calls", CALL + CALL).expect(error(400, -32700, "null")),
            post("invalid UTF-8 in method", bytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"", new byte[] {(byte) 0xC3, 0x28},
                    "\"}")).expect(error(400, -32700, "null")),
            post("overlong UTF-8 in params", bytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":[\"",
                    new byte[] {(byte) 0xC0, (byte) 0xAF}, "\"]}")).expect(error(400, -32700, "null")),
            post("UTF-8 byte order mark", bytes("", new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, CALL))
                .expect(error(400, -32700, "null")),
            post("UTF-16 body", ("[" + CALL + "]").getBytes(StandardCharsets.UTF_16LE)).expect(error(400, -32700, "null")),
            post("UTF-32 body", CALL.getBytes(Charset.forName("UTF-32BE"))).expect(error(400, -32700, "null")),
            post("NUL byte in a string", bytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m", new byte[] {0}, "\"}"))
                .expect(error(400, -32700, "null")),
            post("gzip body without Content-Encoding", gzip(CALL)).expect(error(400, -32700, "null")),
            post("gzip body with Content-Encoding: gzip", gzip(CALL)).header(HttpHeaders.CONTENT_ENCODING, "gzip")
                .expect(error(400, -32700, "null")),

            // JSON, but not a request: -32600.
            post("empty batch", "[]").expect(error(400, -32600, "null")),
            post("top-level number", "1").expect(error(400, -32600, "null")),
            post("top-level string", "\"eth_blockNumber\"").expect(error(400, -32600, "null")),
            post("top-level null", "null").expect(error(400, -32600, "null")),
            post("batch of non-objects", "[1,2]").expect(batch(error(-32600, "null"), error(-32600, "null"))),
            post("missing jsonrpc", "{\"id\":7,\"method\":\"eth_blockNumber\"}").expect(error(400, -32600, "7")),
            post("jsonrpc 1.0", "{\"jsonrpc\":\"1.0\",\"id\":7,\"method\":\"m\"}").expect(error(400, -32600, "7")),
            post("jsonrpc as a number", "{\"jsonrpc\":2.0,\"id\":\"a\",\"method\":\"m\"}").expect(error(400, -32600, "\"a\"")),
            post("missing method", "{\"jsonrpc\":\"2.0\",\"id\":7}").expect(error(400, -32600, "7")),
            post("method as a number", "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":42}").expect(error(400, -32600, "7")),
            post("method name of 10000 characters", "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"" + "m".repeat(10_000) + "\"}")
                .expect(error(400, -32600, "7")),
            post("params as a string", "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"m\",\"params\":\"0x1\"}")
                .expect(error(400, -32600, "7")),
            post("id as a boolean", "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"m\"}").expect(error(400, -32600, "null")),
            post("id as an object", "{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"m\"}")
                .expect(error(400, -32600, "null")),
            post("string id of 300 characters", "{\"jsonrpc\":\"2.0\",\"id\":\"" + "i".repeat(300) + "\",\"method\":\"m\"}")
                .expect(error(400, -32600, "null")),
            post("numeric id of 300 digits", "{\"jsonrpc\":\"2.0\",\"id\":" + "9".repeat(300) + ",\"method\":\"m\"}")
                .expect(error(400, -32600, "null")),
            post("duplicate id member", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"id\":2}")
                .expect(error(400, -32600, "2")),
            post("id with unicode escapes echoed as sent", "{\"jsonrpc\":\"1.0\",\"id\":\"\\u00e9\\ud83d\\ude00\",\"method\":\"m\"}")
                .expect(error(400, -32600, "\"\\u00e9\\ud83d\\ude00\"")),
            post("id with a lone surrogate escape", "{\"jsonrpc\":\"1.0\",\"id\":\"\\ud800\",\"method\":\"m\"}")
                .expect(error(400, -32600, "\"\\ud800\"")),
            post("second method in capitals (Go decoders take it)", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\","
                    + "\"METHOD\":\"debug_traceTransaction\",\"params\":[]}").expect(error(400, -32600, "1")),
            post("id spelled with a dotless i", "{\"jsonrpc\":\"2.0\",\"\u0131d\":5,\"method\":\"eth_chainId\"}")
                .expect(error(400, -32600, "null")),
            post("method the free plan forbids", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"debug_traceTransaction\"}")
                .expect(error(200, -32601, "1")),
            post("forbidden method with a lone surrogate escape", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"debug_\\ud800\"}")
                .expect(error(200, -32601, "1")),
            post("batch mixing a valid and an invalid call",
                    "[" + CALL + ",{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":7}]")
                .expect(batch(upstreamElement(), error(-32600, "2")).andRelayed()),
            post("batch of invalid notifications", "[{\"jsonrpc\":\"2.0\",\"method\":7},{\"method\":\"m\"}]")
                .expect(batch(error(-32600, "null"), error(-32600, "null"))),

            // Limits: -32005.
            post("params nested 65 deep", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":"
                    + "[".repeat(65) + "]".repeat(65) + "}").expect(error(400, -32005, "null")),
            post("100000 unclosed brackets", "[".repeat(100_000)).expect(error(400, -32005, "null")),
            post("batch of 101 calls", batchOf(101)).expect(error(400, -32005, "null")),
            post("number of 1001 digits", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":[" + "1".repeat(1001) + "]}")
                .expect(error(400, -32005, "null")),
            post("body over 1 MiB with Content-Length", padded(MAX_BODY + 1)).expect(error(413, -32005, "null")),
            post("body over 1 MiB chunked", padded(MAX_BODY + 1)).chunked().expect(error(413, -32005, "null")),

            // Not an HTTP POST.
            request("GET", HttpMethod.GET, "").expect(error(405, -32600, "null")),
            request("PUT with a valid call", HttpMethod.PUT, CALL).expect(error(405, -32600, "null")),

            // Refused while the HTTP server decodes the request head, before any route or filter runs: the body is
            // never read, so id null, and the connection is closed.
            post("header of 20000 bytes", CALL).header("X-Padding", "p".repeat(20_000))
                .expect(refusedHead(431, "request headers too large")),
            post("request line of 10000 bytes", CALL).query("q".repeat(10_000))
                .expect(refusedHead(414, "request line too long")),

            // Odd but acceptable: relayed untouched, the upstream's answer comes back.
            post("batch of 100 calls", batchOf(100)).expect(batch(results(100)).andRelayed()),
            post("body of exactly 1 MiB", padded(MAX_BODY)).expect(upstream()),
            post("number of 1000 digits", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":[" + "1".repeat(1000) + "]}")
                .expect(upstream()),
            post("duplicate ids across a batch", "[" + CALL + "," + CALL + "]")
                .expect(batch(upstreamElement(), upstreamElement()).andRelayed()),
            post("notification", "{\"jsonrpc\":\"2.0\",\"method\":\"eth_blockNumber\"}").expect(upstream()),
            post("batch of notifications only", "[{\"jsonrpc\":\"2.0\",\"method\":\"a\"},{\"jsonrpc\":\"2.0\",\"method\":\"b\"}]")
                .expect(batch().andRelayed()),
            post("unicode escapes in params", "{\"jsonrpc\":\"2.0\",\"id\":\"\\u0041\",\"method\":\"m\",\"params\":[\"\\u00e9\\ud800\"]}")
                .expect(upstream()),
            post("unknown members", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"extra\":{\"x\":[1]}}").expect(upstream()),
            post("Content-Type text/plain", CALL).contentType(MediaType.TEXT_PLAIN).expect(upstream()),
            post("Content-Type application/x-www-form-urlencoded", CALL)
                .contentType(MediaType.APPLICATION_FORM_URLENCODED).expect(upstream()),
            post("Content-Type application/octet-stream", CALL).contentType(MediaType.APPLICATION_OCTET_STREAM)
                .expect(upstream()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileInputs")
    void answersEveryHostileInputExactlyAndWithoutA5xx(Hostile hostile, CapturedOutput logs) {
        String key = activeKey();
        int relayedBefore = UPSTREAM.settledRequests();

        EntityExchangeResult<byte[]> result = hostile.send(freshConnections, key);

        byte[] body = result.getResponseBody();
        String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
        assertThat(result.getStatus().value()).as(text).isEqualTo(hostile.expected.status);
        assertThat(result.getResponseHeaders().getContentType()).isNotNull()
            .matches(type -> type.isCompatibleWith(MediaType.APPLICATION_JSON));
        assertThat(text).doesNotContain("Exception", "\tat ", "<html", "\"timestamp\"", "\"path\"", "\"trace\"");
        assertThat(UPSTREAM.requests() - relayedBefore).as("requests relayed").isEqualTo(hostile.expected.relayed ? 1 : 0);
        hostile.expected.check(text, result.getResponseHeaders());
        assertThat(logs.getAll()).as("the captured log lines").doesNotContain(key);
    }

    // --- the table's vocabulary ---

    private static Hostile post(String name, String body) {
        return post(name, body.getBytes(StandardCharsets.UTF_8));
    }

    private static Hostile post(String name, byte[] body) {
        return new Hostile(name, HttpMethod.POST, body);
    }

    private static Hostile request(String name, HttpMethod method, String body) {
        return new Hostile(name, method, body.getBytes(StandardCharsets.UTF_8));
    }

    /** A whole request answered by one gateway error echoing {@code id} (JSON text as expected on the wire). */
    private static Expected error(int status, int code, String id) {
        return new Expected(status, false, text -> {
            assertThat(text).startsWith("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"error\":{\"code\":" + code + ",");
            assertThat(JSON.readTree(text).isObject()).isTrue();
        });
    }

    /** One element of a batch answer: a gateway error with {@code code} echoing {@code id}. */
    private static String error(int code, String id) {
        return "error " + code + " id " + id;
    }

    /** One element of a batch answer: the counting upstream's answer to the call with id 1. */
    private static String upstreamElement() {
        return "result id 1";
    }

    /** The counting upstream's answers to {@link #batchOf}{@code (calls)}. */
    private static String[] results(int calls) {
        return java.util.stream.IntStream.range(0, calls).mapToObj(i -> "result id " + i).toArray(String[]::new);
    }

    /** A batch answered with HTTP 200 and exactly these elements, in this order. */
    private static Expected batch(String... elements) {
        return new Expected(200, false, text -> {
            JsonNode answer = JSON.readTree(text);
            assertThat(answer.isArray()).as(text).isTrue();
            List<String> seen = new ArrayList<>();
            for (JsonNode element : answer) {
                assertThat(element.path("jsonrpc").asString()).isEqualTo("2.0");
                seen.add(element.has("error")
                        ? "error " + element.get("error").get("code").asInt() + " id " + element.get("id")
                        : "result id " + element.get("id"));
            }
            assertThat(seen).containsExactly(elements);
        });
    }

    /**
     * A request head over the HTTP server's limits, answered by the gateway's pipeline handler with {@code status},
     * one -32600 error with id null, the headers every answer carries, and the connection closed.
     */
    private static Expected refusedHead(int status, String message) {
        return new Expected(status, false, text -> assertThat(text).isEqualTo(
                "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"" + message + "\"}}"))
            .withHeaders(headers -> {
                assertThat(headers.getFirst("X-Request-Id")).matches("[0-9a-f]{32}");
                assertThat(headers.getCacheControl()).isEqualTo("no-store");
                assertThat(headers.getFirst("X-Content-Type-Options")).isEqualTo("nosniff");
                assertThat(headers.getConnection()).containsExactly("close");
            });
    }

    /** Relayed as sent; the upstream's answer comes back unchanged. */
    private static Expected upstream() {
        return new Expected(200, true, text -> assertThat(text).isEqualTo(CountingUpstream.ANSWER));
    }

    private static String batchOf(int calls) {
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < calls; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"jsonrpc\":\"2.0\",\"id\":").append(i)
                .append(",\"method\":\"eth_chainId\"}");
        }
        return batch.append(']').toString();
    }

    /** A valid call padded with trailing spaces to {@code size} bytes. */
    private static byte[] padded(int size) {
        byte[] body = new byte[size];
        Arrays.fill(body, (byte) ' ');
        byte[] call = CALL.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(call, 0, body, 0, call.length);
        return body;
    }

    private static byte[] bytes(String before, byte[] middle, String after) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(before.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(middle);
        out.writeBytes(after.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static byte[] gzip(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(text.getBytes(StandardCharsets.UTF_8));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** What a hostile request must get. */
    record Expected(int status, boolean relayed, java.util.function.Consumer<String> body,
            java.util.function.Consumer<HttpHeaders> headers) {

        Expected(int status, boolean relayed, java.util.function.Consumer<String> body) {
            this(status, relayed, body, headers -> { });
        }

        Expected andRelayed() {
            return new Expected(status, true, body, headers);
        }

        Expected withHeaders(java.util.function.Consumer<HttpHeaders> check) {
            return new Expected(status, relayed, body, check);
        }

        void check(String text, HttpHeaders answerHeaders) {
            body.accept(text);
            headers.accept(answerHeaders);
        }
    }

    /** One row of the table: a request and what it must get. */
    static final class Hostile {

        private final String name;

        private final HttpMethod method;

        private final byte[] body;

        private MediaType contentType = MediaType.APPLICATION_JSON;

        private String[] header;

        private boolean chunked;

        private String query = "";

        private Expected expected;

        Hostile(String name, HttpMethod method, byte[] body) {
            this.name = name;
            this.method = method;
            this.body = body;
        }

        Hostile contentType(MediaType type) {
            this.contentType = type;
            return this;
        }

        Hostile header(String name, String value) {
            this.header = new String[] {name, value};
            return this;
        }

        Hostile query(String query) {
            this.query = "?" + query;
            return this;
        }

        Hostile chunked() {
            this.chunked = true;
            return this;
        }

        Hostile expect(Expected expected) {
            this.expected = expected;
            return this;
        }

        EntityExchangeResult<byte[]> send(WebTestClient client, String key) {
            var spec = client.method(method).uri("/v1/anvil/" + key + query).contentType(contentType);
            if (header != null) {
                spec = spec.header(header[0], header[1]);
            }
            var exchange = chunked
                    ? spec.body(Flux.range(0, (body.length + 8191) / 8192)
                        .map(i -> Arrays.copyOfRange(body, i * 8192, Math.min(body.length, (i + 1) * 8192))), byte[].class)
                        .exchange()
                    : body.length == 0 && method == HttpMethod.GET ? spec.exchange() : spec.bodyValue(body).exchange();
            return exchange.expectBody().returnResult();
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
