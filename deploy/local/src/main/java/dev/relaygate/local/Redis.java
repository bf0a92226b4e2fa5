package dev.relaygate.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;

import redis.embedded.RedisServer;

/** The stack's Redis: the server named by {@code REDIS_URL}, or a real embedded one persisting to the data folder. */
final class Redis implements AutoCloseable {

    private final String url;

    private final int port;

    private final RedisServer embedded;

    private Redis(String url, int port, RedisServer embedded) {
        this.url = url;
        this.port = port;
        this.embedded = embedded;
    }

    static Redis start(StackOptions options) {
        String url = options.env("REDIS_URL");
        if (url != null) {
            return new Redis(url, -1, null);
        }
        try {
            var dir = options.dataDir().resolve("redis");
            Files.createDirectories(dir);
            int port = Ports.free();
            // Append-only file: what Redis acknowledged survives a stop and start (stopAndWait, startAgain), so
            // the usage stream and the key snapshots outlive an outage the tests cause.
            RedisServer server = RedisServer.newRedisServer()
                .port(port)
                .bind("127.0.0.1")
                .setting("dir " + dir.toAbsolutePath())
                .setting("appendonly yes")
                .setting("save \"\"")
                .onShutdownForceStop(true)
                .build();
            server.start();
            return new Redis("redis://127.0.0.1:" + port, port, server);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded Redis", e);
        }
    }

    String url() {
        return url;
    }

    String describe() {
        return (embedded != null ? "embedded, " : "") + url;
    }

    /**
     * Stops the embedded Redis as an operator would ({@code SHUTDOWN}: the append-only file is flushed and
     * fsynced, then the process exits) and returns once its port refuses connections.
     */
    void stopAndWait() {
        requireEmbedded();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write("SHUTDOWN\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            // SHUTDOWN answers nothing when it succeeds: the connection closes as the server exits.
            byte[] answer = in.readNBytes(256);
            if (answer.length > 0) {
                throw new IllegalStateException("Redis refused SHUTDOWN: " + new String(answer, StandardCharsets.UTF_8));
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Could not stop Redis on port " + port, e);
        }
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (listening()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("Redis still listens on port " + port + " 30 s after SHUTDOWN");
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        try {
            // The process has exited; this only marks the embedded server stopped so that it can start again.
            embedded.stop();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the embedded Redis again on the same port and data folder; it reloads its append-only file. */
    void startAgain() {
        requireEmbedded();
        try {
            embedded.start();
        }
        catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded Redis again", e);
        }
    }

    private boolean listening() {
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        }
        catch (IOException e) {
            return false;
        }
    }

    private void requireEmbedded() {
        if (embedded == null) {
            throw new IllegalStateException("Only the embedded Redis can be stopped and started (REDIS_URL is set)");
        }
    }

    @Override
    public void close() {
        if (embedded != null) {
            try {
                embedded.stop();
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
