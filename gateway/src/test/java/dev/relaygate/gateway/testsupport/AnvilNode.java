package dev.relaygate.gateway.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

/**
 * A real local Ethereum node: Anvil from the npm package {@code @foundry-rs/anvil} at the version the root POM pins
 * ({@code anvil.version}), installed once into the repository's {@code .local/tools} as the local stack does, and
 * started on a free port. Blocking by design: use it from test threads only.
 */
public final class AnvilNode implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;

    private final int port;

    private AnvilNode(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts a node with an empty chain at block 0; waits until it answers. */
    public static AnvilNode start() {
        Path binary = install();
        int port = FreePorts.loopback();
        try {
            Process process = new ProcessBuilder(binary.toString(), "--host", "127.0.0.1", "--port",
                    Integer.toString(port), "--chain-id", "31337", "--silent")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
            AnvilNode node = new AnvilNode(process, port);
            Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> node.call("eth_chainId", "[]").contains("\"result\""));
            return node;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Anvil serves WebSocket JSON-RPC on the same port. */
    public String wsUrl() {
        return "ws://127.0.0.1:" + port;
    }

    /** Mines {@code blocks} blocks at once. */
    public void mine(int blocks) {
        call("anvil_mine", "[\"0x" + Integer.toHexString(blocks) + "\"]");
    }

    /** Sends 1 wei from Anvil's first dev account to its second; returns the transaction hash (mined at once). */
    public String transfer() {
        String answer = call("eth_sendTransaction", "[{\"from\":\"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\","
                + "\"to\":\"0x70997970C51812dc3A010C7d01b50e0d17dc79C8\",\"value\":\"0x1\"}]");
        int start = answer.indexOf("\"result\":\"") + 10;
        if (start < 10) {
            throw new IllegalStateException("Anvil did not take the transaction: " + answer);
        }
        return answer.substring(start, answer.indexOf('"', start));
    }

    /** Anvil's first dev account, unlocked: {@code eth_sendTransaction} from it needs no signature. */
    public static final String DEV_ACCOUNT = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

    /**
     * Deploys a contract whose every call emits one log: topic0 {@code topic} (32 bytes, hex), data the block number
     * (32 bytes). Hand-assembled bytecode, no compiler: the runtime is {@code NUMBER PUSH1 0 MSTORE PUSH32 topic
     * PUSH1 32 PUSH1 0 LOG1 STOP}, behind an init code that copies it to memory and returns it. Returns the address.
     */
    public String deployLogEmitter(String topic) {
        String bare = topic.startsWith("0x") ? topic.substring(2) : topic;
        if (bare.length() != 64) {
            throw new IllegalArgumentException("a topic is 32 bytes");
        }
        String runtime = "43" + "6000" + "52" + "7f" + bare + "6020" + "6000" + "a1" + "00";
        String length = String.format("%02x", runtime.length() / 2);
        // PUSH1 len, DUP1, PUSH1 11 (where the runtime starts), PUSH1 0, CODECOPY, PUSH1 0, RETURN
        String init = "60" + length + "80" + "600b" + "6000" + "39" + "6000" + "f3";
        String hash = sendTransaction("{\"from\":\"" + DEV_ACCOUNT + "\",\"data\":\"0x" + init + runtime + "\"}");
        // Mined at once, yet on a loaded machine the receipt can be null for a moment after the hash is answered.
        String receipt = Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
            .until(() -> call("eth_getTransactionReceipt", "[\"" + hash + "\"]"),
                    found -> !found.contains("\"result\":null"));
        int start = receipt.indexOf("\"contractAddress\":\"") + 19;
        if (start < 19) {
            throw new IllegalStateException("no contract deployed: " + receipt);
        }
        return receipt.substring(start, receipt.indexOf('"', start));
    }

    /** Calls {@code contract} from the dev account in a transaction (mined at once); returns its hash. */
    public String callContract(String contract) {
        return sendTransaction("{\"from\":\"" + DEV_ACCOUNT + "\",\"to\":\"" + contract + "\"}");
    }

    /** keccak-256 of {@code text}, as Anvil computes it ({@code web3_sha3}). */
    public String keccak(String text) {
        String hex = java.util.HexFormat.of().formatHex(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return result(call("web3_sha3", "[\"0x" + hex + "\"]"));
    }

    /** Turns Anvil's mining of each transaction as it arrives on or off ({@code evm_setAutomine}). */
    public void automine(boolean on) {
        call("evm_setAutomine", "[" + on + "]");
    }

    private String sendTransaction(String transaction) {
        return result(call("eth_sendTransaction", "[" + transaction + "]"));
    }

    private static String result(String answer) {
        int start = answer.indexOf("\"result\":\"") + 10;
        if (start < 10) {
            throw new IllegalStateException("Anvil refused: " + answer);
        }
        return answer.substring(start, answer.indexOf('"', start));
    }

    public long blockNumber() {
        String answer = call("eth_blockNumber", "[]");
        int start = answer.indexOf("\"0x") + 3;
        return Long.parseLong(answer.substring(start, answer.indexOf('"', start)), 16);
    }

    /** Kills the node at once, as a crash would. */
    public void kill() {
        process.destroyForcibly();
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String call(String method, String params) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url()))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(5))
            .POST(HttpRequest.BodyPublishers.ofString(
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}"))
            .build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path install() {
        String version = System.getProperty("anvil.version", "1.7.1");
        Path root = Path.of(System.getProperty("relaygate.root", "..")).toAbsolutePath().normalize();
        Path prefix = root.resolve(".local/tools/anvil-" + version);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String platform = (os.contains("mac") ? "darwin" : "linux") + "-"
                + (arch.contains("aarch64") || arch.contains("arm64") ? "arm64" : "amd64");
        Path binary = prefix.resolve("node_modules/@foundry-rs/anvil-" + platform + "/bin/anvil");
        if (Files.isExecutable(binary)) {
            return binary;
        }
        try {
            Files.createDirectories(prefix);
            Process npm = new ProcessBuilder(List.of("npm", "install", "--no-audit", "--no-fund", "--no-save",
                    "--loglevel=error", "--prefix", prefix.toString(), "@foundry-rs/anvil@" + version))
                // Not inherited: npm switches an inherited standard input to non-blocking mode while it runs, and
                // this fork's standard input is Failsafe's command channel (deploy/local AnvilInstallTest).
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(prefix.resolve("npm-install.log").toFile()))
                .start();
            npm.getOutputStream().close();
            if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                npm.destroyForcibly();
                throw new IllegalStateException("npm could not install @foundry-rs/anvil@" + version);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Anvil tests need Node.js and npm", e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("npm installed @foundry-rs/anvil but there is no " + binary);
        }
        return binary;
    }
}
