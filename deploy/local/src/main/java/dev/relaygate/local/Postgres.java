package dev.relaygate.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The stack's PostgreSQL: the server named by {@code DATABASE_URL}
 * ({@code postgresql://user:password@host:port/database}) or a real embedded server whose data folder
 * survives restarts.
 */
final class Postgres implements AutoCloseable {

    private final String host;

    private final int port;

    private final String database;

    private final String user;

    private final String password;

    private final EmbeddedPostgres embedded;

    private Postgres(String host, int port, String database, String user, String password, EmbeddedPostgres embedded) {
        this.host = host;
        this.port = port;
        this.database = database;
        this.user = user;
        this.password = password;
        this.embedded = embedded;
    }

    static Postgres start(StackOptions options) {
        String url = options.env("DATABASE_URL");
        if (url != null) {
            return fromUrl(url);
        }
        try {
            EmbeddedPostgres embedded = EmbeddedPostgres.builder()
                .setDataDirectory(options.dataDir().resolve("postgres"))
                .setCleanDataDirectory(false)
                .setPort(Ports.free())
                .start();
            return new Postgres("127.0.0.1", embedded.getPort(), "postgres", "postgres", "postgres", embedded);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL", e);
        }
    }

    static Postgres fromUrl(String url) {
        URI uri = URI.create(url.replaceFirst("^postgres(ql)?://", "postgresql://"));
        String userInfo = uri.getRawUserInfo() == null ? "postgres:" : uri.getRawUserInfo();
        String[] credentials = userInfo.split(":", 2);
        String database = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
        return new Postgres(uri.getHost(), uri.getPort() == -1 ? 5432 : uri.getPort(), database,
                decode(credentials[0]), credentials.length > 1 ? decode(credentials[1]) : "", null);
    }

    private static String decode(String value) {
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }

    String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    String r2dbcUrl() {
        return "r2dbc:postgresql://" + host + ":" + port + "/" + database;
    }

    String user() {
        return user;
    }

    String password() {
        return password;
    }

    String describe() {
        return (embedded != null ? "embedded, " : "") + host + ":" + port + "/" + database;
    }

    @Override
    public void close() {
        if (embedded != null) {
            try {
                embedded.close();
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
