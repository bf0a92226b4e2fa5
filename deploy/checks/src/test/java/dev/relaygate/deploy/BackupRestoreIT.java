package dev.relaygate.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/backup/backup.sh and restore.sh against a real PostgreSQL with the control plane's schema (its Flyway
 * migrations) and data in it: what is restored is what was backed up, table by table and row by row.
 */
class BackupRestoreIT {

    private static EmbeddedPostgres postgres;

    @TempDir
    Path folder;

    @BeforeAll
    static void start() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stop() throws IOException {
        postgres.close();
    }

    @Test
    void aBackupRestoresIntoANewDatabaseWithEveryRow() throws Exception {
        String source = createDatabase("relaygate_" + suffix());
        migrateAndFill(source);
        Path dump = folder.resolve("relaygate.dump");

        Tools.Result backup = script("backup.sh", source, dump.toString());
        assertThat(backup.exitCode()).as(backup.describe()).isZero();
        assertThat(dump).isRegularFile();
        assertThat(Files.list(folder).map(Path::toString)).noneMatch(name -> name.endsWith(".partial"));

        String target = createDatabase("restored_" + suffix());
        Tools.Result restore = script("restore.sh", target, dump.toString());
        assertThat(restore.exitCode()).as(restore.describe()).isZero();

        Map<String, String> before = contents(source);
        assertThat(before).containsKeys("organizations", "api_keys", "usage_hourly", "usage_daily",
                "flyway_schema_history");
        assertThat(contents(target)).isEqualTo(before);
        assertThat(count(target, "select count(*) from usage_hourly")).isEqualTo(3);
        // The restore printed the row counts, the same the backup printed.
        assertThat(restore.stdout()).contains("usage_daily 2").contains("organizations 1");
        assertThat(backup.stdout()).contains("usage_daily 2").contains("organizations 1");
    }

    @Test
    void restoreRefusesADatabaseThatAlreadyHasTables() throws Exception {
        String source = createDatabase("relaygate_" + suffix());
        migrateAndFill(source);
        Path dump = folder.resolve("refused.dump");
        assertThat(script("backup.sh", source, dump.toString()).exitCode()).isZero();

        Tools.Result restore = script("restore.sh", source, dump.toString());

        assertThat(restore.exitCode()).isEqualTo(2);
        assertThat(restore.stderr()).contains("already has").contains("--replace");
        assertThat(count(source, "select count(*) from organizations")).isEqualTo(1);
    }

    @Test
    void backupNeverOverwritesAFile() throws Exception {
        String source = createDatabase("relaygate_" + suffix());
        Path existing = Files.writeString(folder.resolve("existing.dump"), "keep me");

        Tools.Result backup = script("backup.sh", source, existing.toString());

        assertThat(backup.exitCode()).isEqualTo(2);
        assertThat(Files.readString(existing)).isEqualTo("keep me");
    }

    private Tools.Result script(String name, String database, String file) {
        Tools.require("pg_dump");
        Tools.require("pg_restore");
        Tools.require("psql");
        String url = "postgresql://postgres:postgres@127.0.0.1:" + postgres.getPort() + "/" + database;
        return Tools.run(folder, Map.of("DATABASE_URL", url),
                List.of("bash", Repository.path("deploy/backup/" + name).toString(), file));
    }

    private static void migrateAndFill(String database) throws SQLException {
        Flyway.configure().dataSource(jdbcUrl(database), "postgres", "postgres")
            .locations("classpath:db/migration")
            .load()
            .migrate();
        UUID organization = UUID.randomUUID();
        UUID key = UUID.randomUUID();
        try (Connection connection = connect(database); Statement sql = connection.createStatement()) {
            sql.execute("insert into organizations (id, name, plan_id, created_at, updated_at) select '" + organization
                    + "', 'Acme', id, now(), now() from plans where name = 'free'");
            sql.execute("insert into api_keys (id, organization_id, name, display_prefix, secret_hash, created_by, "
                    + "created_at, updated_at, allowed_chains) values ('" + key + "', '" + organization + "', 'prod', "
                    + "'rgk_abcdefgh', repeat('a', 64), 'alice', now(), now(), '{eth-mainnet}')");
            for (String month : new String[] { "2026-10-15", "2026-11-15", "2026-11-16" }) {
                sql.execute("select usage_hourly_ensure_partition('" + month + "')");
                sql.execute("insert into usage_hourly values ('" + organization + "', '" + key + "', 'eth-mainnet', "
                        + "'eth_call', '" + month + "T10:00:00Z', 10, 260, 1, 2, 1234)");
            }
            sql.execute("insert into usage_daily values ('" + organization + "', '" + key + "', 'eth-mainnet', "
                    + "'eth_call', '2026-11-15', 10, 260, 1, 2, 1234), ('" + organization + "', '" + key
                    + "', 'eth-mainnet', 'eth_getLogs', '2026-11-16', 3, 225, 0, 0, 99)");
        }
    }

    /** Every table's rows, as one digest per table (the whole content, ordered). */
    private static Map<String, String> contents(String database) throws SQLException {
        Map<String, String> contents = new TreeMap<>();
        try (Connection connection = connect(database); Statement sql = connection.createStatement()) {
            List<String> tables = new java.util.ArrayList<>();
            try (ResultSet rows = sql.executeQuery("select tablename from pg_tables where schemaname = 'public'")) {
                while (rows.next()) {
                    tables.add(rows.getString(1));
                }
            }
            for (String table : tables) {
                try (ResultSet digest = sql.executeQuery("select count(*) || ':' || coalesce(md5(string_agg(t::text, "
                        + "'|' order by t::text)), '') from \"" + table + "\" t")) {
                    digest.next();
                    contents.put(table, digest.getString(1));
                }
            }
        }
        return contents;
    }

    private static long count(String database, String query) throws SQLException {
        try (Connection connection = connect(database); Statement sql = connection.createStatement();
                ResultSet rows = sql.executeQuery(query)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static String createDatabase(String name) throws SQLException {
        try (Connection connection = connect("postgres"); Statement sql = connection.createStatement()) {
            sql.execute("create database " + name);
        }
        return name;
    }

    private static Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), "postgres", "postgres");
    }

    private static String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + database;
    }

    private static String suffix() {
        return Long.toString(System.nanoTime(), 36);
    }
}
