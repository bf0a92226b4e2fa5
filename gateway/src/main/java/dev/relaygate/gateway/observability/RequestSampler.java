package dev.relaygate.gateway.observability;

import java.util.List;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;

/**
 * The gateway's OpenTelemetry sampler: a {@link RequestTrace#REQUEST} span is only ever started for a request
 * {@link RequestTracing} already sampled, so it is always kept (tossing the probability again would sample
 * {@code p²} of requests, and a caller's unsampled {@code traceparent} would drop it); every other span (the
 * management port, operator-defined routes, the children of a kept request span) follows Boot's default sampler,
 * parent-based with the configured probability for roots.
 */
final class RequestSampler implements Sampler {

    private final Sampler others;

    RequestSampler(double probability) {
        this.others = Sampler.parentBased(Sampler.traceIdRatioBased(probability));
    }

    @Override
    public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
            Attributes attributes, List<LinkData> parentLinks) {
        if (RequestTrace.REQUEST.equals(name)) {
            return SamplingResult.recordAndSample();
        }
        return others.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
    }

    @Override
    public String getDescription() {
        return "RelaygateRequestSampler{others=" + others.getDescription() + "}";
    }
}
