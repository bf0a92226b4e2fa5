package dev.relaygate.controlplane.auditlog;

import java.util.UUID;

/**
 * One mutation for the append-only audit log.
 *
 * @param organizationId the tenant concerned, or null for platform-level changes (plans)
 * @param actor          JWT subject of who did it
 * @param action         e.g. {@code key.create}
 * @param targetType     e.g. {@code api_key}
 * @param targetId       id of the changed resource
 * @param before         state before, or null
 * @param after          state after, or null
 * @param requestId      the request that did it
 */
public record AuditEntry(UUID organizationId, String actor, String action, String targetType, String targetId,
        Object before, Object after, String requestId) {
}
