package dev.relaygate.controlplane.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import redis.embedded.RedisServer;

/**
 * A real Redis for tests: the one named by {@code REDIS_URL} when set, otherwise an embedded {@code redis-server}
 * started once per test JVM on a free loopback port.
 */
public final class TestRedis {

    private static String sharedUrl;

    private TestRedis() {
    }

    public static synchronized String url() {
        if (sharedUrl == null) {
            String fromEnv = System.getenv("REDIS_URL");
            sharedUrl = fromEnv != null && !fromEnv.isBlank() ? fromEnv : embedded();
        }
        return sharedUrl;
    }

    private static String embedded() {
        int port = freePort();
        try {
            RedisServer server = RedisServer.newRedisServer()
                .port(port)
                .bind("127.0.0.1")
                .setting("save \"\"")
                .setting("appendonly no")
                .onShutdownForceStop(true)
                .build();
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.stop();
                }
                catch (IOException ignored) {
                    // The JVM is exiting.
                }
            }, "test-redis-stop"));
            return "redis://127.0.0.1:" + port;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
