package dev.relaygate.gateway.usage;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.scheduler.Schedulers;

/**
 * The usage recorder and its sink. The hot path hands the recorder a record for every relayed request; the usage
 * pipeline (a later issue) replaces the {@link UsageSink} bean.
 */
@Configuration(proxyBeanMethods = false)
class UsageConfiguration {

    @Bean
    UsageSink usageSink() {
        return new UsageLog();
    }

    @Bean(destroyMethod = "close")
    UsageRecorder usageRecorder(UsageProperties properties, UsageSink sink, MeterRegistry meters) {
        // The drain only polls a queue and subscribes to the (non-blocking) sink: the shared parallel
        // scheduler is enough, no thread of its own.
        return new UsageRecorder(properties, sink, meters, Schedulers.parallel());
    }
}
