package dev.relaygate.controlplane.audit;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** An audit-log entry as the API shows it. */
public record AuditRecord(long id, UUID organizationId, String actor, String action, String targetType,
        String targetId, Map<String, Object> before, Map<String, Object> after, String requestId, Instant at) {
}
