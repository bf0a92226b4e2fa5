package dev.relaygate.gateway.observability;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.micrometer.tracing.autoconfigure.TracingProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Tracing and the access log of the hot path (docs/observability.md). Spring Boot configures the OpenTelemetry SDK,
 * the Micrometer {@link Tracer} over it and, when {@code management.opentelemetry.tracing.export.otlp.endpoint} is
 * set, the OTLP exporter; this adds the gateway's sampler and the per-request decision of {@link RequestTracing}.
 * Without an exporter no request is traced, whatever the probability: spans that go nowhere are pure cost.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AccessLogProperties.class)
class TracingConfiguration {

    @Bean
    RequestSampler relaygateSampler(TracingProperties tracing) {
        return new RequestSampler(tracing.getSampling().getProbability());
    }

    @Bean(destroyMethod = "dispose")
    Scheduler accessLogScheduler(AccessLogProperties properties) {
        return Schedulers.newBoundedElastic(1, properties.queueSize(), "access-log");
    }

    @Bean
    RequestTracing requestTracing(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator,
            ObjectProvider<SpanExporter> exporters, TracingProperties tracing, AccessLogProperties accessLog,
            Scheduler accessLogScheduler, MeterRegistry meters) {
        boolean exported = exporters.stream().findAny().isPresent();
        double probability = exported ? tracing.getSampling().getProbability() : 0;
        // Built either way, so that its dropped-lines counter is on every scrape (docs/metrics.md).
        AccessLog log = new AccessLog(accessLogScheduler, meters);
        return new RequestTracing(tracer.getIfAvailable(() -> Tracer.NOOP),
                propagator.getIfAvailable(() -> Propagator.NOOP), probability, accessLog.enabled() ? log : null,
                accessLog.sampleRate());
    }
}
