package dev.relaygate.controlplane.testsupport;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * When a test fails because an answer never came, prints what the database sessions and the JVM's threads were
 * doing, so a rare stall on a loaded machine leaves evidence. Re-throws the failure unchanged.
 */
public final class TimeoutDiagnostics implements TestExecutionExceptionHandler {

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        if (isTimeout(failure)) {
            System.out.println("=== TIMEOUT DIAGNOSTICS for " + context.getDisplayName());
            printSessions();
            for (ThreadInfo thread : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
                System.out.print(thread);
            }
        }
        throw failure;
    }

    private static boolean isTimeout(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static void printSessions() {
        TestPostgres.Connection pg = TestPostgres.connection();
        try (Connection jdbc = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
                Statement statement = jdbc.createStatement();
                ResultSet rows = statement.executeQuery("select pid, state, wait_event_type, wait_event, "
                        + "now() - xact_start as in_tx, left(query, 200) as query from pg_stat_activity "
                        + "where datname = current_database() and pid <> pg_backend_pid()")) {
            while (rows.next()) {
                System.out.printf("pg %s %s %s/%s tx=%s %s%n", rows.getInt(1), rows.getString(2), rows.getString(3),
                        rows.getString(4), rows.getString(5), rows.getString(6));
            }
        }
        catch (Exception e) {
            System.out.println("could not read pg_stat_activity: " + e);
        }
    }
}
