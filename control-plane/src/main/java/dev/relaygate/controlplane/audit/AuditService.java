package dev.relaygate.controlplane.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;

import dev.relaygate.controlplane.member.MemberAccess;
import dev.relaygate.controlplane.member.Role;
import dev.relaygate.controlplane.security.Caller;
import dev.relaygate.controlplane.web.ApiException;
import dev.relaygate.controlplane.web.Page;
import dev.relaygate.controlplane.web.PageCursor;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Reading an organization's audit log (owners and admins), newest first, with filters. */
@Service
public final class AuditService {

    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    private final DatabaseClient db;

    private final MemberAccess access;

    private final JsonMapper json;

    public AuditService(DatabaseClient db, MemberAccess access, JsonMapper json) {
        this.db = db;
        this.access = access;
        this.json = json;
    }

    public Mono<Page<AuditRecord>> list(Caller caller, UUID organizationId, String cursor, Integer limit,
            String action, String targetId) {
        return Mono.defer(() -> {
            Long after = decode(cursor);
            int size = PageCursor.limit(limit);
            StringBuilder sql = new StringBuilder("select id, organization_id, actor, action, target_type, target_id, "
                    + "before::text as before_json, after::text as after_json, request_id, at from audit_log "
                    + "where organization_id = :org");
            if (after != null) {
                sql.append(" and id < :after");
            }
            if (action != null) {
                sql.append(" and action = :action");
            }
            if (targetId != null) {
                sql.append(" and target_id = :targetId");
            }
            sql.append(" order by id desc limit :limit");
            DatabaseClient.GenericExecuteSpec spec = db.sql(sql.toString()).bind("org", organizationId)
                .bind("limit", size + 1);
            if (after != null) {
                spec = spec.bind("after", after);
            }
            if (action != null) {
                spec = spec.bind("action", action);
            }
            if (targetId != null) {
                spec = spec.bind("targetId", targetId);
            }
            DatabaseClient.GenericExecuteSpec query = spec;
            return access.require(caller, organizationId, role -> role == Role.OWNER || role == Role.ADMIN,
                    "read the audit log")
                .thenMany(query.map(this::record).all())
                .collectList()
                .map(rows -> page(rows, size));
        });
    }

    private static Page<AuditRecord> page(List<AuditRecord> rows, int size) {
        boolean more = rows.size() > size;
        List<AuditRecord> shown = more ? rows.subList(0, size) : rows;
        return new Page<>(shown, more ? encode(shown.get(shown.size() - 1).id()) : null);
    }

    private AuditRecord record(Readable row) {
        return new AuditRecord(row.get("id", Long.class), row.get("organization_id", UUID.class),
                row.get("actor", String.class), row.get("action", String.class), row.get("target_type", String.class),
                row.get("target_id", String.class), object(row.get("before_json", String.class)),
                object(row.get("after_json", String.class)), row.get("request_id", String.class),
                row.get("at", Instant.class));
    }

    private Map<String, Object> object(String text) {
        return text == null ? null : json.readValue(text, OBJECT);
    }

    private static String encode(long id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("audit|" + id).getBytes(StandardCharsets.UTF_8));
    }

    private static Long decode(String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return null;
        }
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!raw.startsWith("audit|")) {
                throw new IllegalArgumentException(raw);
            }
            return Long.parseLong(raw.substring("audit|".length()));
        }
        catch (RuntimeException e) {
            throw ApiException.invalidField("cursor", "is not a cursor returned by this API");
        }
    }
}
