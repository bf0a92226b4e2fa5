package dev.relaygate.gateway.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.relaygate.gateway.GatewayApplication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A gateway started with several wrong values at once refuses to start with one message that lists every one of
 * them, says how to fix each, and shows none of the values (issue #18). One of the wrong values comes from a mounted
 * secret file (the config tree of {@code relaygate.secrets-dir}), which also shows that secrets are read from files.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConfigurationFailureTest {

    private static final String SECRET_IN_URL = "hunter2-not-for-logs";

    @TempDir
    Path secrets;

    @Test
    void everyWrongValueIsListedInOneMessageAndTheGatewayDoesNotStart(CapturedOutput output) throws IOException {
        // A Redis URL without a scheme, from a mounted file: relaygate/redis/url sets relaygate.redis.url.
        Path redisUrl = secrets.resolve("relaygate/redis/url");
        Files.createDirectories(redisUrl.getParent());
        Files.writeString(redisUrl, "//default:" + SECRET_IN_URL + "@127.0.0.1:6379");

        assertThatThrownBy(() -> new SpringApplicationBuilder(GatewayApplication.class).run(
                "--relaygate.secrets-dir=" + secrets + "/",
                "--server.port=0",
                "--management.server.port=0",
                "--relaygate.upstream.connect-timeout=-2s",
                "--relaygate.usage.spool.fsync=sometimes",
                "--relaygate.control-plane.url=http://control plane:8090",
                "--relaygate.chains[0].id=anvil",
                "--relaygate.chains[0].upstreams[0].url=http://127.0.0.1:9"))
            .isInstanceOf(Exception.class);

        assertThat(output.getOut() + output.getErr())
            .contains("The gateway's configuration has 4 problems")
            .contains("relaygate.upstream.connect-timeout: must be a positive duration")
            .contains("relaygate.usage.spool.fsync: cannot be read as one of always, interval, never")
            .contains("relaygate.control-plane.url: must be an absolute URL")
            .contains("relaygate.redis.url: must be an absolute URL")
            .contains(redisUrl.toString())
            .contains("Correct every property listed")
            .doesNotContain(SECRET_IN_URL)
            .doesNotContain("control plane:8090");
    }

    @Test
    void aRedisClusterNamedThroughSentinelStopsStartUp(CapturedOutput output) {
        assertThatThrownBy(() -> new SpringApplicationBuilder(GatewayApplication.class).run(
                "--server.port=0",
                "--management.server.port=0",
                "--relaygate.redis.mode=cluster",
                "--relaygate.redis.url=redis-sentinel://127.0.0.1:26379#mymaster",
                "--relaygate.chains[0].id=anvil",
                "--relaygate.chains[0].upstreams[0].url=http://127.0.0.1:9"))
            .isInstanceOf(Exception.class);

        assertThat(output.getOut() + output.getErr())
            .contains("The gateway's configuration has 1 problem")
            .contains("mode cluster needs a redis:// or rediss:// URL naming one of the cluster's nodes");
    }
}
