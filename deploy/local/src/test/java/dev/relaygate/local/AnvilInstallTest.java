package dev.relaygate.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Installing Anvil runs npm, and npm switches the standard input it inherits to non-blocking mode while it runs.
 * In a Surefire/Failsafe fork that input is the fork's command channel: the fork's next read failed with EAGAIN
 * ("std/in stream corrupted") and the build failed although every test passed, on every machine where Anvil was
 * not installed yet (a fresh clone, so CI). npm must get an input of its own, and write its output elsewhere than
 * the fork's event stream.
 */
class AnvilInstallTest {

    @TempDir
    Path dir;

    private Path npm;

    @BeforeEach
    void fakeNpm() throws IOException {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc (Linux)");
        // Records what its standard input and output are, then installs a launcher as the real package would.
        npm = dir.resolve("npm");
        Files.writeString(npm, """
                #!/bin/sh
                while [ "$#" -gt 0 ]; do
                  if [ "$1" = "--prefix" ]; then prefix="$2"; fi
                  shift
                done
                readlink /proc/$$/fd/0 > "$prefix/stdin"
                readlink /proc/$$/fd/1 > "$prefix/stdout"
                echo "added 2 packages in 1s"
                mkdir -p "$prefix/node_modules/.bin"
                printf '#!/bin/sh\\n' > "$prefix/node_modules/.bin/anvil"
                chmod +x "$prefix/node_modules/.bin/anvil"
                """);
        Files.setPosixFilePermissions(npm, PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void npmNeitherReadsNorWritesTheStreamsOfTheProcessThatInstalls() throws IOException {
        Path prefix = dir.resolve("anvil");

        Path binary = Anvil.install(prefix, "1.7.1", npm.toString());

        assertThat(binary).isEqualTo(prefix.resolve("node_modules/.bin/anvil"));
        assertThat(Files.readString(prefix.resolve("stdin")).strip())
            .isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString());
        assertThat(Files.readString(prefix.resolve("stdout")).strip())
            .isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString());
    }

    @Test
    void npmsOutputIsKeptBesideTheInstallation() throws IOException {
        Path prefix = dir.resolve("anvil");

        Anvil.install(prefix, "1.7.1", npm.toString());

        assertThat(prefix.resolve("npm-install.log")).content().contains("added 2 packages");
    }
}
