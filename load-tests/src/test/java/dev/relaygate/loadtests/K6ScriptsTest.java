package dev.relaygate.loadtests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The k6 scripts in {@code load-tests/k6} as far as the build can judge them without k6 (issue #19): runs their
 * Node test suite ({@code node --test}), which checks that every script parses as an ES module with its imports
 * at the top, that every data file and environment variable it reads exists or is documented, and tests the
 * method mix, the answer checks, the settings, the summary and the comparison script.
 */
class K6ScriptsTest {

    private static final Path K6 = Path.of(System.getProperty("basedir", "."), "k6").toAbsolutePath().normalize();

    @Test
    void k6ScriptsPassTheirNodeChecksAndTests() throws IOException, InterruptedException {
        Path log = Files.createTempFile("k6-node-test", ".log");
        Process node;
        try {
            node = new ProcessBuilder(List.of("node", "--test"))
                .directory(K6.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        }
        catch (IOException e) {
            throw new IllegalStateException("Node.js must be on the PATH to check the k6 scripts (see README.md)", e);
        }
        boolean finished = node.waitFor(5, TimeUnit.MINUTES);
        if (!finished) {
            node.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);

        assertThat(finished).as("node --test finished within 5 minutes").isTrue();
        assertThat(node.exitValue()).as("exit status of node --test in %s:%n%s", K6, output).isZero();
        assertThat(output).as("node --test ran the k6 tests").containsPattern("(?m)^# pass [1-9]").contains("# fail 0");
    }
}
