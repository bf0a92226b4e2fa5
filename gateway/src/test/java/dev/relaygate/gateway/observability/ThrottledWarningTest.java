package dev.relaygate.gateway.observability;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

class ThrottledWarningTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger(ThrottledWarningTest.class);

    private final ListAppender<ILoggingEvent> captured = new ListAppender<>();

    private final AtomicLong now = new AtomicLong(1_000);

    private final ThrottledWarning warning = new ThrottledWarning(logger, Duration.ofSeconds(10), now::get);

    @BeforeEach
    void capture() {
        captured.start();
        logger.addAppender(captured);
    }

    @AfterEach
    void release() {
        logger.detachAppender(captured);
    }

    @Test
    void theFirstIsLoggedAtOnceAndTheRestOfTheIntervalOnlyCounted() {
        warning.warn("down: {}", "first");
        for (int i = 0; i < 500; i++) {
            now.addAndGet(Duration.ofMillis(10).toNanos());
            warning.warn("down: {}", "again");
        }

        assertThat(captured.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly("down: first");
    }

    @Test
    void theNextLineAfterTheIntervalSaysHowManyWereHeldBack() {
        warning.warn("down: {}", "first");
        warning.warn("down: {}", "second");
        warning.warn("down: {}", "third");
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        warning.warn("down: {}", "fourth");
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        warning.warn("down: {}", "fifth");

        assertThat(captured.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly("down: first",
                "down: fourth (2 more like it since the last such line)", "down: fifth");
        assertThat(captured.list).allSatisfy(event -> assertThat(event.getThrowableProxy()).isNull());
    }
}
