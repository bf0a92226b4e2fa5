package dev.relaygate.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local Ethereum node: Anvil from the npm package {@code @foundry-rs/anvil}, installed at a pinned version
 * into the stack's data folder (never globally), with its chain state kept there across restarts.
 */
final class Anvil {

    private static final Logger log = LoggerFactory.getLogger(Anvil.class);

    static final long CHAIN_ID = 31337;

    private Anvil() {
    }

    static ChildProcess start(StackOptions options, String version, int port) {
        // Tools live in the repository's .local folder even for a test's stack, so they install once.
        Path binary = install(options.root().resolve(".local/tools/anvil-" + version), version);
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--host", "127.0.0.1", "--port", Integer.toString(port), "--chain-id", Long.toString(CHAIN_ID)));
        if (options.fixedPorts()) {
            // A developer's chain survives restarts; a test's chain starts empty.
            command.addAll(List.of("--state", options.dataDir().resolve("anvil-state.json").toString(),
                    "--state-interval", "30"));
        }
        ChildProcess anvil = ChildProcess.start("anvil", command, options.dataDir().resolve("logs/anvil.log"),
                options.dataDir());
        anvil.awaitReady(ChildProcess.postJson("http://127.0.0.1:" + port,
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}"),
                body -> body.contains("\"result\""), Duration.ofSeconds(30));
        return anvil;
    }

    static Path install(Path prefix, String version) {
        return install(prefix, version, npm());
    }

    static Path install(Path prefix, String version, String npmCommand) {
        Path binary = platformBinary(prefix);
        if (Files.isExecutable(binary)) {
            return binary;
        }
        List<String> command = List.of(npmCommand, "install", "--no-audit", "--no-fund", "--no-save", "--loglevel=error",
                "--prefix", prefix.toString(), "@foundry-rs/anvil@" + version);
        Path npmLog = prefix.resolve("npm-install.log");
        log.info("Installing Anvil {} with npm into {} (once; npm's output goes to {})", version, prefix, npmLog);
        try {
            Files.createDirectories(prefix);
            // npm gets an input and an output of its own: it switches an inherited standard input to non-blocking
            // mode while it runs, which breaks a parent that reads its own (a Surefire fork's command channel).
            Process npm = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(npmLog.toFile()))
                .start();
            npm.getOutputStream().close();
            if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                npm.destroyForcibly();
                throw new IllegalStateException("npm could not install @foundry-rs/anvil@" + version
                        + " (is Node.js/npm on the PATH?): " + String.join(" ", command) + "; its output is in "
                        + npmLog);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Could not run npm: Relaygate's local stack needs Node.js and npm", e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while installing Anvil", e);
        }
        if (Files.isExecutable(binary)) {
            return binary;
        }
        // Platforms without a prebuilt package run through the package's launcher script.
        Path launcher = prefix.resolve("node_modules/.bin/anvil");
        if (Files.isExecutable(launcher)) {
            return launcher;
        }
        throw new IllegalStateException("npm installed @foundry-rs/anvil but no anvil binary was found under " + prefix);
    }

    /** The prebuilt binary itself, so that stopping it is a plain SIGTERM and not one sent to a Node wrapper. */
    private static Path platformBinary(Path prefix) {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String platform = (os.contains("mac") ? "darwin" : os.contains("win") ? "win32" : "linux") + "-"
                + (arch.contains("aarch64") || arch.contains("arm64") ? "arm64" : "amd64");
        return prefix.resolve("node_modules/@foundry-rs/anvil-" + platform + "/bin/anvil" + (os.contains("win") ? ".exe" : ""));
    }

    private static String npm() {
        return System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("win") ? "npm.cmd" : "npm";
    }
}
