package dev.relaygate.gateway.observability;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.relaygate.gateway.testsupport.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;

/** No API key reaches a log line, whoever logs it and however: message, argument or exception. */
@ExtendWith(OutputCaptureExtension.class)
class SecretRedactionTest {

    private static final Logger log = LoggerFactory.getLogger("some.framework.Adapter");

    @BeforeAll
    static void install() {
        SecretRedaction.install();
    }

    @Test
    void aKeyInAFrameworkErrorLineIsRedactedAndTheLineKept(CapturedOutput output) {
        String key = TestKeys.newKey();

        log.error("[abc] 500 Server Error for HTTP POST \"/v1/anvil/{}\", but ServerHttpResponse already committed", key);

        assertThat(output.getAll()).doesNotContain(key).contains("/v1/anvil/" + key.substring(0, 8) + "…[redacted]")
            .contains("already committed");
    }

    @Test
    void aKeyInAnExceptionMessageOrItsCauseIsRedactedAndTheStackKept(CapturedOutput output) {
        String key = TestKeys.newKey();
        IllegalStateException failure = new IllegalStateException("while handling /v1/anvil/" + key,
                new RuntimeException("cause mentions " + key));

        log.warn("Request failed", failure);

        assertThat(output.getAll()).doesNotContain(key).contains("java.lang.IllegalStateException: while handling")
            .contains("at dev.relaygate.gateway.observability.SecretRedactionTest");
    }

    @Test
    void linesWithoutAKeyAreLeftAlone(CapturedOutput output) {
        log.info("Listening on {} with prefix {}", 8080, "rgk_short");

        assertThat(output.getAll()).contains("Listening on 8080 with prefix rgk_short").doesNotContain("redacted");
    }

    @Test
    void redactsEveryKeyInAText() {
        String first = TestKeys.newKey();
        String second = TestKeys.newKey();

        assertThat(SecretRedaction.redact(first + " and " + second)).doesNotContain(first, second)
            .isEqualTo(first.substring(0, 8) + "…[redacted] and " + second.substring(0, 8) + "…[redacted]");
    }
}
