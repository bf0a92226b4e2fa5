package dev.relaygate.controlplane.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL for tests: the one named by {@code DATABASE_URL}
 * ({@code postgresql://user:password@host:port/database}) when set, otherwise an embedded server started once
 * per test JVM on a free port.
 */
public final class TestPostgres {

    private static Connection shared;

    private TestPostgres() {
    }

    /** Where the database is. */
    public record Connection(String host, int port, String database, String user, String password) {

        public String r2dbcUrl() {
            return "r2dbc:postgresql://" + host + ":" + port + "/" + database;
        }

        public String jdbcUrl() {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database;
        }
    }

    public static synchronized Connection connection() {
        if (shared == null) {
            String fromEnv = System.getenv("DATABASE_URL");
            shared = fromEnv != null && !fromEnv.isBlank() ? parse(fromEnv) : embedded();
        }
        return shared;
    }

    static Connection parse(String url) {
        URI uri = URI.create(url);
        String[] credentials = uri.getUserInfo() == null ? new String[] { "postgres", "" }
                : uri.getUserInfo().split(":", 2);
        return new Connection(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), uri.getPath().substring(1),
                credentials[0], credentials.length > 1 ? credentials[1] : "");
    }

    private static Connection embedded() {
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                }
                catch (IOException ignored) {
                    // The JVM is exiting; the temporary data directory goes with it.
                }
            }, "test-postgres-stop"));
            return new Connection("127.0.0.1", postgres.getPort(), "postgres", "postgres", "postgres");
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
