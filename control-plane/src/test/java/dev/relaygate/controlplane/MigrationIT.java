package dev.relaygate.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.relaygate.controlplane.testsupport.IntegrationTest;

/** The schema as Flyway builds it from an empty database. */
class MigrationIT extends IntegrationTest {

    @Test
    void migratesAnEmptyDatabaseToTheFullSchema() {
        List<String> tables = db.sql("select table_name from information_schema.tables where table_schema = 'public'")
            .map(row -> row.get("table_name", String.class)).all().collectList().block();

        assertThat(tables).contains("organizations", "users", "memberships", "plans", "api_keys", "audit_log",
                "snapshot_outbox", "idempotency_records", "flyway_schema_history");
        Long failed = db.sql("select count(*) as n from flyway_schema_history where not success")
            .map(row -> row.get("n", Long.class)).one().block();
        assertThat(failed).isZero();
    }

    @Test
    void seedsTheFreePlanWithTheContractValues() {
        var plan = db.sql("select name, compute_units_per_second, burst_compute_units, max_batch_size "
                + "from plans where id = '00000000-0000-0000-0000-00000000f4ee'")
            .map(row -> List.of(row.get("name", String.class), row.get("compute_units_per_second", Integer.class),
                    row.get("burst_compute_units", Integer.class), row.get("max_batch_size", Integer.class)))
            .one().block();

        assertThat(plan).containsExactly("free", 330, 660, 100);
    }

    @Test
    void sessionsNeverWaitForeverForALockOrAStatement() {
        String lockTimeout = db.sql("show lock_timeout").map(row -> row.get(0, String.class)).one().block();
        String statementTimeout = db.sql("show statement_timeout").map(row -> row.get(0, String.class)).one().block();

        assertThat(lockTimeout).isEqualTo("5s");
        assertThat(statementTimeout).isEqualTo("15s");
    }

    @Test
    void constraintsRefuseInvalidKeys() {
        String org = db.sql("insert into organizations (id, name, plan_id, created_at, updated_at) values "
                + "(gen_random_uuid(), 'c', '00000000-0000-0000-0000-00000000f4ee', now(), now()) returning id::text as id")
            .map(row -> row.get("id", String.class)).one().block();
        String valid = "insert into api_keys (id, organization_id, name, display_prefix, secret_hash, created_by, "
                + "created_at, updated_at%s) values (gen_random_uuid(), '" + org + "', 'k', '%s', '%s', 't', now(), now()%s)";
        String hash = "a".repeat(64);

        assertThat(fails(String.format(valid, "", "not-a-prefix", hash, ""))).as("display prefix format").isTrue();
        assertThat(fails(String.format(valid, "", "rgk_abcdefgh", "NOT-HEX", ""))).as("hash format").isTrue();
        assertThat(fails(String.format(valid, ", jwt_required", "rgk_abcdefgh", hash, ", true")))
            .as("JWT required without keys").isTrue();
        assertThat(fails(String.format(valid, ", previous_secret_hash", "rgk_abcdefgh", hash, ", '" + "b".repeat(64) + "'")))
            .as("previous secret without grace end").isTrue();
        assertThat(fails(String.format(valid, "", "rgk_abcdefgh", hash, ""))).as("a valid row").isFalse();
        assertThat(fails(String.format(valid, "", "rgk_abcdefgh", hash, ""))).as("the same hash twice").isTrue();
    }

    @Test
    void membershipRolesAreConstrained() {
        String org = createOrganization(uniqueSubject("owner")).toString();
        String insert = "insert into memberships (id, organization_id, invited_email, role, created_by, created_at, "
                + "updated_at) values (gen_random_uuid(), '" + org + "', '%s', '%s', 't', now(), now())";

        assertThat(fails(String.format(insert, "someone@example.com", "superuser"))).as("unknown role").isTrue();
        assertThat(fails(String.format(insert, "Someone@Example.com", "viewer"))).as("e-mail not lower-case").isTrue();
        assertThat(fails(String.format(insert, "someone@example.com", "viewer"))).as("a valid invitation").isFalse();
    }

    private boolean fails(String sql) {
        return db.sql(sql).then().materialize().block().isOnError();
    }

    @Test
    void auditLogRefusesUpdatesAndDeletes() {
        db.sql("insert into audit_log (actor, action, target_type, target_id, at) values ('t', 'test', 't', 't', now())")
            .then().block();

        assertThat(db.sql("update audit_log set actor = 'x'").then().materialize().block().isOnError()).isTrue();
        assertThat(db.sql("delete from audit_log").then().materialize().block().isOnError()).isTrue();
    }
}
