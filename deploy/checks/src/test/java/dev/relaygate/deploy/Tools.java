package dev.relaygate.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.fail;

/**
 * The command-line tools the checks run (kubectl, promtool, pg_dump…). A missing tool fails the check with what to
 * install: these checks never skip. {@code .ci/run} installs them on a CI machine (Debian's kubernetes-client,
 * prometheus and postgresql-client).
 */
final class Tools {

    private static final Map<String, String> PACKAGES = Map.of(
            "kubectl", "kubernetes-client",
            "promtool", "prometheus",
            "pg_dump", "postgresql-client",
            "pg_restore", "postgresql-client",
            "psql", "postgresql-client");

    private Tools() {
    }

    /** What a command printed and how it ended. */
    record Result(int exitCode, String stdout, String stderr) {

        String describe() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /** Fails unless {@code tool} is on the PATH. */
    static void require(String tool) {
        if (which(tool) == null) {
            fail(tool + " is not installed, and this check needs it: install Debian's " + PACKAGES.getOrDefault(tool, tool)
                    + " (apt-get install " + PACKAGES.getOrDefault(tool, tool) + "; .ci/run does so on CI)");
        }
    }

    static Path which(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** Runs {@code command} in {@code directory} with {@code environment} added, for at most 2 minutes. */
    static Result run(Path directory, Map<String, String> environment, List<String> command) {
        require(command.get(0));
        try {
            Path out = Files.createTempFile("relaygate-check", ".out");
            Path err = Files.createTempFile("relaygate-check", ".err");
            ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within 2 minutes");
            }
            Result result = new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            return result;
        }
        catch (IOException e) {
            throw new IllegalStateException("could not run " + command, e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Result run(Path directory, String... command) {
        return run(directory, Map.of(), List.of(command));
    }
}
