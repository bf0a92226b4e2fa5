package dev.relaygate.gateway.observability;

import java.util.concurrent.ThreadLocalRandom;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * Decides, once at the start of each {@code /v1} request, whether it is traced and whether it gets an access-log
 * line, and hands out its {@link RequestTrace}. Two independent coins: the tracing probability
 * ({@code management.tracing.sampling.probability}), which only counts when spans have somewhere to go (an OTLP
 * endpoint is configured, so an exporter exists), and the access log's {@code sample-rate}, which only counts when
 * the access log is enabled. With both off, which is the default, a request costs one branch here.
 * <p>
 * The gateway's own coin is the sampling decision: {@link RequestSampler} makes the SDK keep every
 * {@link RequestTrace#REQUEST} span it is asked for, so the probability is not applied twice. A caller's
 * {@code traceparent} makes the request span its child (its trace id, its span as parent) but does not force
 * sampling: callers are clients on the internet, and one header must not buy four exported spans. Only W3C
 * {@code traceparent}/{@code tracestate} are read from the caller; its {@code baggage} and B3 headers are ignored.
 */
public final class RequestTracing {

    /** Neither tracing nor the access log. */
    public static final RequestTracing OFF = new RequestTracing(Tracer.NOOP, Propagator.NOOP, 0, null, 0);

    private static final Propagator.Getter<HttpHeaders> W3C_ONLY = (headers, name) ->
            "traceparent".equals(name) || "tracestate".equals(name) ? headers.get(name) : null;

    private final Tracer tracer;

    private final Propagator propagator;

    private final double probability;

    private final AccessLog accessLog;

    private final double accessLogRate;

    /**
     * @param probability the share of requests traced, 0 to 1 (0 when spans would go nowhere)
     * @param accessLog the access log, or {@code null} when disabled
     * @param accessLogRate the share of requests with an access-log line, 0 to 1
     */
    public RequestTracing(Tracer tracer, Propagator propagator, double probability, AccessLog accessLog,
            double accessLogRate) {
        this.tracer = tracer;
        this.propagator = propagator;
        this.probability = tracer == Tracer.NOOP ? 0 : probability;
        this.accessLog = accessLog;
        this.accessLogRate = accessLog == null ? 0 : accessLogRate;
    }

    /** Whether any request can be traced. */
    public boolean tracing() {
        return probability > 0;
    }

    /** The trace of a request with these headers and id: {@link RequestTrace#NONE} unless sampled for something. */
    public RequestTrace start(HttpHeaders headers, String requestId) {
        boolean traced = toss(probability);
        boolean logged = toss(accessLogRate);
        if (!traced && !logged) {
            return RequestTrace.NONE;
        }
        Span root = null;
        if (traced) {
            Span.Builder builder = headers.contains("traceparent") ? propagator.extract(headers, W3C_ONLY)
                    : tracer.spanBuilder().setNoParent();
            root = builder.name(RequestTrace.REQUEST).kind(Span.Kind.SERVER).tag(RequestTrace.REQUEST_ID, requestId)
                .start();
        }
        return new RequestTrace(tracer, propagator, root, accessLog, requestId, logged);
    }

    private static boolean toss(double rate) {
        return rate > 0 && (rate >= 1 || ThreadLocalRandom.current().nextDouble() < rate);
    }
}
