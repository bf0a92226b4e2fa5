package dev.relaygate.controlplane.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.relaygate.controlplane.ControlPlaneApplication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A control plane started with several wrong values at once refuses to start with one message that lists every one
 * of them, says how to fix each, and shows none of the values (issue #18). The too-short internal token comes from a
 * mounted secret file (the config tree of {@code relaygate.secrets-dir}): secrets are read from files, and even a
 * refused one is never printed.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConfigurationFailureTest {

    private static final String SHORT_TOKEN = "tooshort-secret";

    @TempDir
    Path secrets;

    @Test
    void everyWrongValueIsListedInOneMessageAndTheControlPlaneDoesNotStart(CapturedOutput output) throws IOException {
        Path token = secrets.resolve("relaygate/internal/token");
        Files.createDirectories(token.getParent());
        Files.writeString(token, SHORT_TOKEN);

        assertThatThrownBy(() -> new SpringApplicationBuilder(ControlPlaneApplication.class).run(
                "--relaygate.secrets-dir=" + secrets + "/",
                "--server.port=0",
                "--management.server.port=0",
                "--spring.flyway.enabled=false",
                "--relaygate.security.jwt.hmac-secret=test-hmac-secret-that-is-at-least-32-bytes-long",
                "--relaygate.redis.command-timeout=-5s",
                "--relaygate.security.jwt.jwks-url=not a url",
                "--relaygate.usage.batch-size=lots"))
            .isInstanceOf(Exception.class);

        assertThat(output.getOut() + output.getErr())
            .contains("The control plane's configuration has 4 problems")
            .contains("relaygate.internal.token: size must be between 16")
            .contains(token.toString())
            .contains("relaygate.redis.command-timeout: must be a positive duration")
            .contains("relaygate.security.jwt.jwks-url: cannot be read as a URL")
            .contains("relaygate.usage.batch-size: cannot be read as a whole number")
            .contains("Correct every property listed")
            .doesNotContain(SHORT_TOKEN)
            .doesNotContain("not a url");
    }
}
