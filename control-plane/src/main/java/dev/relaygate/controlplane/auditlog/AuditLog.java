package dev.relaygate.controlplane.auditlog;

import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Appends to {@code audit_log}; called inside the transaction of the mutation it records, so a change and its
 * audit entry commit together or not at all.
 */
@Component
public final class AuditLog {

    private final DatabaseClient db;

    private final JsonMapper json;

    private final Clock clock;

    public AuditLog(DatabaseClient db, JsonMapper json, Clock clock) {
        this.db = db;
        this.json = json;
        this.clock = clock;
    }

    public Mono<Void> append(AuditEntry entry) {
        DatabaseClient.GenericExecuteSpec spec = db.sql("""
                insert into audit_log (organization_id, actor, action, target_type, target_id, before, after,
                                       request_id, at)
                values (:org, :actor, :action, :targetType, :targetId, cast(:before as jsonb),
                        cast(:after as jsonb), :requestId, :at)
                """)
            .bind("actor", entry.actor())
            .bind("action", entry.action())
            .bind("targetType", entry.targetType())
            .bind("targetId", entry.targetId())
            .bind("at", Instant.now(clock));
        spec = entry.organizationId() == null ? spec.bindNull("org", UUID.class) : spec.bind("org", entry.organizationId());
        spec = bindJson(spec, "before", entry.before());
        spec = bindJson(spec, "after", entry.after());
        spec = entry.requestId() == null ? spec.bindNull("requestId", String.class)
                : spec.bind("requestId", entry.requestId());
        return spec.then();
    }

    private DatabaseClient.GenericExecuteSpec bindJson(DatabaseClient.GenericExecuteSpec spec, String name,
            Object value) {
        return value == null ? spec.bindNull(name, String.class) : spec.bind(name, json.writeValueAsString(value));
    }
}
