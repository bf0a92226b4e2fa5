package dev.relaygate.gateway.observability;

import java.util.HashMap;
import java.util.Map;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.slf4j.MDC;

/**
 * What one {@code /v1} request leaves behind for operators: its spans when it was sampled for tracing, its access-log
 * line when it was sampled for the access log, both or neither. The steps tell it what they learn (chain, methods,
 * key, attempts, status) and ask it for the child spans of their step; for a request sampled for neither,
 * {@link #NONE} answers every call with nothing at no cost (no allocation, no Reactor operator, no context
 * propagation), which is the path of almost every request.
 * <p>
 * Spans are started and ended explicitly with the {@link Tracer} API, never put in scope: the hot path hops between
 * event-loop threads, so nothing of a request may live in a thread local between two steps.
 * <p>
 * Never holds the API key: the key's display prefix ({@code rgk_} and 8 characters, as the control plane shows it)
 * and its id only. Methods are the bounded names {@code HotPath} hands over, never the caller's raw strings.
 */
public final class RequestTrace {

    /** The root span of a relayed request (a child of the caller's {@code traceparent} when it sent one). */
    public static final String REQUEST = "relaygate.request";

    /** The key check: the key's snapshot (cache, Redis or control plane) and its policy. */
    public static final String KEY = "relaygate.key";

    /** The rate-limit and quota decision. */
    public static final String RATE_LIMIT = "relaygate.ratelimit";

    /** One send to one upstream; a request that fails over or hedges has several. */
    public static final String UPSTREAM = "relaygate.upstream";

    /** Span attribute names, defined once (docs/observability.md lists them). */
    public static final String REQUEST_ID = "relaygate.request.id";

    public static final String CHAIN = "relaygate.chain";

    public static final String METHOD = "rpc.method";

    public static final String KEY_ID = "relaygate.key.id";

    public static final String OUTCOME = "relaygate.outcome";

    public static final String UPSTREAM_NAME = "relaygate.upstream.name";

    public static final String ATTEMPT = "relaygate.upstream.attempt";

    public static final String ATTEMPTS = "relaygate.upstream.attempts";

    public static final String STATUS = "http.response.status_code";

    public static final String RATE_LIMIT_UNITS = "relaygate.ratelimit.units";

    public static final String RATE_LIMIT_LIMIT = "relaygate.ratelimit.limit";

    public static final String UPSTREAM_STATUS = "relaygate.upstream.status";

    /** MDC keys of the trace and span ids: the ones Spring Boot's log correlation and structured formats read. */
    static final String MDC_TRACE_ID = "traceId";

    static final String MDC_SPAN_ID = "spanId";

    /** A request sampled for neither tracing nor the access log. */
    public static final RequestTrace NONE = new RequestTrace(null, null, null, null, null, false);

    private static final LogIds NO_IDS = () -> { };

    private final Tracer tracer;

    private final Propagator propagator;

    private final Span root;

    private final AccessLog accessLog;

    private final String requestId;

    private final boolean logged;

    private final long startedNanos;

    private String chain;

    private String methods;

    private String keyPrefix;

    private String keyId;

    private int attempts;

    private int status;

    RequestTrace(Tracer tracer, Propagator propagator, Span root, AccessLog accessLog, String requestId,
            boolean logged) {
        this.tracer = tracer;
        this.propagator = propagator;
        this.root = root;
        this.accessLog = accessLog;
        this.requestId = requestId;
        this.logged = logged;
        this.startedNanos = System.nanoTime();
    }

    /** Whether anything is recorded for this request; the steps skip even computing what they would report. */
    public boolean active() {
        return this != NONE;
    }

    /** Whether this request has spans. */
    public boolean traced() {
        return root != null;
    }

    /** Starts the child span {@code name} of the request span; {@link Span#NOOP} when not traced. */
    public Span step(String name) {
        if (root == null) {
            return Span.NOOP;
        }
        return tracer.spanBuilder().setParent(root.context()).name(name).start();
    }

    /** Starts the span of attempt {@code number} (1 for the first) to the upstream configured as {@code upstream}. */
    public Span attempt(String upstream, int number) {
        if (root == null) {
            return Span.NOOP;
        }
        return tracer.spanBuilder()
            .setParent(root.context())
            .name(UPSTREAM)
            .kind(Span.Kind.CLIENT)
            .tag(UPSTREAM_NAME, upstream)
            .tag(ATTEMPT, number)
            .start();
    }

    /**
     * The trace-context headers ({@code traceparent}, W3C) that make the upstream's own spans children of
     * {@code attempt}; {@code null} when not traced, so an unsampled request goes upstream exactly as received.
     */
    public Map<String, String> propagation(Span attempt) {
        if (root == null || attempt.isNoop()) {
            return null;
        }
        Map<String, String> headers = new HashMap<>(4);
        propagator.inject(attempt.context(), headers, Map::put);
        return headers;
    }

    public void chain(String chainId) {
        this.chain = chainId;
        if (root != null) {
            root.tag(CHAIN, chainId);
        }
    }

    /** The call's method, or the batch's distinct methods joined with commas: known names only (see HotPath). */
    public void methods(String bounded) {
        this.methods = bounded;
        if (root != null) {
            root.tag(METHOD, bounded);
        }
    }

    /** The presented key's display prefix (never the key), when it is well formed. */
    public void keyPrefix(String prefix) {
        this.keyPrefix = prefix;
    }

    public void keyId(String id) {
        this.keyId = id;
        if (root != null) {
            root.tag(KEY_ID, id);
        }
    }

    public void attempts(int count) {
        this.attempts = count;
    }

    /** The HTTP status the caller is answered with. */
    public void answered(int httpStatus) {
        this.status = httpStatus;
    }

    /** Ends the request span and writes the access-log line, when sampled for them. */
    public void end() {
        if (this == NONE) {
            return;
        }
        long latencyNanos = System.nanoTime() - startedNanos;
        if (root != null) {
            root.tag(STATUS, status);
            if (attempts > 0) {
                root.tag(ATTEMPTS, attempts);
            }
            root.end();
        }
        if (logged) {
            accessLog.write(new AccessLog.Line(requestId, traceId(), keyPrefix, keyId, chain, methods, status,
                    latencyNanos / 1_000_000, attempts));
        }
    }

    /** The trace id, or {@code null} when not traced. */
    public String traceId() {
        return root == null ? null : root.context().traceId();
    }

    /**
     * Puts the trace and request span ids in the MDC of this thread until closed, for a log line written on the hot
     * path (MDC is thread-local and the hot path hops threads: set it around the line, never across steps).
     */
    public LogIds logIds() {
        if (root == null) {
            return NO_IDS;
        }
        MDC.put(MDC_TRACE_ID, root.context().traceId());
        MDC.put(MDC_SPAN_ID, root.context().spanId());
        return () -> {
            MDC.remove(MDC_TRACE_ID);
            MDC.remove(MDC_SPAN_ID);
        };
    }

    /** The MDC entries of {@link #logIds()}, removed on close. */
    @FunctionalInterface
    public interface LogIds extends AutoCloseable {

        @Override
        void close();
    }
}
