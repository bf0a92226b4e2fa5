package dev.relaygate.gateway.observability;

import java.util.concurrent.RejectedExecutionException;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import reactor.core.scheduler.Scheduler;

/**
 * The access log of {@code /v1}: one line per sampled request on the logger {@value #LOGGER}, with the request id,
 * trace id, key prefix and id (never the key), chain, methods, HTTP status, latency and upstream attempts, as SLF4J
 * key-value pairs (fields of their own in Spring Boot's structured JSON formats) and, for the plain format, in the
 * message as {@code name=value}.
 * <p>
 * Logback appenders write synchronously, and a console or file write is blocking I/O that must not run on an event
 * loop: lines are handed to the {@code access-log} scheduler (one thread, a bounded queue) and written there. When the
 * queue is full the line is dropped and counted in {@value #DROPPED_METRIC}, never waited for.
 */
public final class AccessLog {

    /** The logger the lines are written to: route or silence it by this name. */
    public static final String LOGGER = "relaygate.access";

    /** Counter of access-log lines dropped because the writer fell behind. */
    public static final String DROPPED_METRIC = "relaygate.access.log.dropped";

    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private final Scheduler writer;

    private final Counter dropped;

    public AccessLog(Scheduler writer, MeterRegistry meters) {
        this.writer = writer;
        this.dropped = Counter.builder(DROPPED_METRIC)
            .description("Access-log lines dropped because the writer fell behind")
            .register(meters);
    }

    /** Queues {@code line} for writing; never blocks. */
    void write(Line line) {
        try {
            writer.schedule(() -> line.writeTo(log));
        }
        catch (RejectedExecutionException full) {
            dropped.increment();
        }
    }

    /**
     * One access-log line.
     *
     * @param keyPrefix the presented key's display prefix, {@code null} when no well-formed key was presented
     * @param keyId the key's id, {@code null} when the key was not found
     * @param chain the chain id, {@code null} when the path named no chain of the catalogue
     * @param methods the known method names ({@code other} for the rest), {@code null} when the body was not read
     * @param attempts upstream attempts, 0 when nothing was relayed
     */
    record Line(String requestId, String traceId, String keyPrefix, String keyId, String chain, String methods,
            int status, long latencyMillis, int attempts) {

        void writeTo(Logger logger) {
            // The ids in the MDC too, where Boot's log correlation and structured formats put every line's trace id.
            if (traceId != null) {
                MDC.put(RequestTrace.MDC_TRACE_ID, traceId);
            }
            try {
                write(logger);
            }
            finally {
                MDC.remove(RequestTrace.MDC_TRACE_ID);
            }
        }

        private void write(Logger logger) {
            logger.atInfo()
                .addKeyValue("request_id", requestId)
                .addKeyValue("trace_id", traceId)
                .addKeyValue("key_prefix", keyPrefix)
                .addKeyValue("key_id", keyId)
                .addKeyValue("chain", chain)
                .addKeyValue("method", methods)
                .addKeyValue("status", status)
                .addKeyValue("latency_ms", latencyMillis)
                .addKeyValue("upstream_attempts", attempts)
                .log("request_id={} trace_id={} key_prefix={} key_id={} chain={} method={} status={} latency_ms={} "
                        + "upstream_attempts={}", requestId, traceId, keyPrefix, keyId, chain, methods, status,
                        latencyMillis, attempts);
        }
    }
}
