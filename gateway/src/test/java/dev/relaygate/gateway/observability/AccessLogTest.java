package dev.relaygate.gateway.observability;

import java.util.Map;
import java.util.stream.Collectors;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An access-log line carries its fields as SLF4J key-value pairs, which Spring Boot's structured formats (ecs,
 * logstash) write as JSON fields of their own, and the trace id in the MDC for the line only.
 */
class AccessLogTest {

    @Test
    void writesEachFieldAsAKeyValuePairAndTheTraceIdInTheMdcOfThatLineOnly() {
        Logger logger = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        logger.addAppender(captured);
        try {
            new AccessLog.Line("req-1", "4bf92f3577b34da6a3ce929d0e0e4736", "rgk_2uggCp9E", "key-id", "anvil",
                    "eth_call,other", 429, 12, 0).writeTo(logger);
        }
        finally {
            logger.detachAppender(captured);
        }

        ILoggingEvent line = captured.list.get(0);
        Map<String, Object> fields = line.getKeyValuePairs().stream()
            .collect(Collectors.toMap(pair -> pair.key, pair -> pair.value));
        assertThat(fields).containsEntry("request_id", "req-1")
            .containsEntry("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")
            .containsEntry("key_prefix", "rgk_2uggCp9E")
            .containsEntry("key_id", "key-id")
            .containsEntry("chain", "anvil")
            .containsEntry("method", "eth_call,other")
            .containsEntry("status", 429)
            .containsEntry("latency_ms", 12L)
            .containsEntry("upstream_attempts", 0);
        assertThat(line.getFormattedMessage()).isEqualTo("request_id=req-1 trace_id=4bf92f3577b34da6a3ce929d0e0e4736 "
                + "key_prefix=rgk_2uggCp9E key_id=key-id chain=anvil method=eth_call,other status=429 latency_ms=12 "
                + "upstream_attempts=0");
        assertThat(line.getMDCPropertyMap()).containsEntry("traceId", "4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(MDC.get("traceId")).as("removed after the line").isNull();
    }
}
