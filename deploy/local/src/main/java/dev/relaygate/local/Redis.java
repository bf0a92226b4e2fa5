package dev.relaygate.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

import redis.embedded.RedisServer;

/** The stack's Redis: the server named by {@code REDIS_URL}, or a real embedded one persisting to the data folder. */
final class Redis implements AutoCloseable {

    private final String url;

    private final RedisServer embedded;

    private Redis(String url, RedisServer embedded) {
        this.url = url;
        this.embedded = embedded;
    }

    static Redis start(StackOptions options) {
        String url = options.env("REDIS_URL");
        if (url != null) {
            return new Redis(url, null);
        }
        try {
            var dir = options.dataDir().resolve("redis");
            Files.createDirectories(dir);
            int port = Ports.free();
            RedisServer server = RedisServer.newRedisServer()
                .port(port)
                .bind("127.0.0.1")
                .setting("dir " + dir.toAbsolutePath())
                .setting("appendonly yes")
                .setting("save \"\"")
                .onShutdownForceStop(true)
                .build();
            server.start();
            return new Redis("redis://127.0.0.1:" + port, server);
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
