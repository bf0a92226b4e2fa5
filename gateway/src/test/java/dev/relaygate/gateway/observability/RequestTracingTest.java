package dev.relaygate.gateway.observability;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-request decision: with tracing and the access log off, a request costs nothing and records nothing. */
class RequestTracingTest {

    @Test
    void withTracingAndTheAccessLogOffEveryRequestIsNone() {
        RequestTracing off = new RequestTracing(Tracer.NOOP, Propagator.NOOP, 1.0, null, 1.0);

        RequestTrace trace = off.start(new DefaultHttpHeaders().add("traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), "id");

        assertThat(off.tracing()).as("a no-op tracer never traces, whatever the probability").isFalse();
        assertThat(trace).isSameAs(RequestTrace.NONE);
        assertThat(trace.step(RequestTrace.KEY)).isSameAs(Span.NOOP);
        assertThat(trace.attempt("node-a", 1)).isSameAs(Span.NOOP);
        assertThat(trace.propagation(Span.NOOP)).isNull();
        assertThat(trace.traceId()).isNull();
    }

    @Test
    void theDefaultDecisionIsOff() {
        assertThat(RequestTracing.OFF.tracing()).isFalse();
        assertThat(RequestTracing.OFF.start(new DefaultHttpHeaders(), "id")).isSameAs(RequestTrace.NONE);
    }
}
