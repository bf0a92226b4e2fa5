package dev.relaygate.gateway.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;

import redis.embedded.RedisServer;

/**
 * A real Redis server for tests: the one named by {@code REDIS_URL} when it is set, otherwise an embedded
 * {@code redis-server} binary started once per test JVM on a free loopback port.
 * Tests that stop or freeze Redis take a {@link #dedicated() dedicated} server of their own.
 */
public final class TestRedis {

    private static String sharedUrl;

    private TestRedis() {
    }

    /** The shared server's URL, {@code redis://127.0.0.1:port}. */
    public static synchronized String url() {
        if (sharedUrl == null) {
            String fromEnv = System.getenv("REDIS_URL");
            sharedUrl = (fromEnv != null && !fromEnv.isBlank()) ? fromEnv : dedicated().url();
        }
        return sharedUrl;
    }

    /** A new embedded server on its own free port, stopped when the JVM exits. */
    public static Dedicated dedicated() {
        Dedicated server = new Dedicated(FreePorts.loopback());
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "test-redis-stop"));
        return server;
    }

    /** An embedded server that a test may stop and start again on the same port. */
    public static final class Dedicated {

        private final int port;

        private final RedisServer server;

        Dedicated(int port) {
            this.port = port;
            try {
                this.server = RedisServer.newRedisServer()
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .onShutdownForceStop(true)
                    .build();
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public int port() {
            return port;
        }

        public String url() {
            return "redis://127.0.0.1:" + port;
        }

        public synchronized void start() {
            try {
                if (!server.isActive()) {
                    server.start();
                }
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Freezes the server for {@code duration}: {@code CLIENT PAUSE ms ALL}, every client's commands wait. */
        public void pauseClients(Duration duration) {
            RedisClient client = RedisClient.create(url());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                connection.sync().dispatch(CommandType.CLIENT, new StatusOutput<>(StringCodec.UTF8),
                    new CommandArgs<>(StringCodec.UTF8).add("PAUSE").add(duration.toMillis()).add("ALL"));
            }
            finally {
                client.shutdown();
            }
        }

        public synchronized void stop() {
            try {
                if (server.isActive()) {
                    server.stop();
                }
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
