package dev.relaygate.gateway.usage;

import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import io.lettuce.core.resource.ClientResources;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import dev.relaygate.gateway.config.RedisProperties;

/** The usage pipeline: recorder, its Redis stream, its spool and the spool's scheduler. */
@Configuration(proxyBeanMethods = false)
class UsageConfiguration {

    @Bean(destroyMethod = "close")
    UsageStream usageStream(RedisProperties redis, UsageProperties properties, ClientResources resources) {
        return new UsageStream(redis.url().toString(), redis.mode(), redis.connectTimeout(), properties.sendTimeout(), resources);
    }

    /** One thread: the spool is one file, written in order; a small queue is enough (one flush at a time). */
    @Bean(destroyMethod = "dispose")
    Scheduler usageSpoolScheduler() {
        return Schedulers.newBoundedElastic(1, 1024, "usage-spool");
    }

    @Bean(destroyMethod = "close")
    UsageRecorder usageRecorder(UsageProperties properties, UsageStream stream, Scheduler usageSpoolScheduler,
            MeterRegistry meters) {
        // Opened at start-up on the main thread; afterwards only the usage-spool thread touches it.
        UsageSpool spool = new UsageSpool(properties.spool());
        // A new id per process start: batch ids never repeat across restarts.
        String gatewayId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        return new UsageRecorder(properties, gatewayId, stream, spool, meters, Schedulers.parallel(),
                usageSpoolScheduler, Clock.systemUTC());
    }
}
