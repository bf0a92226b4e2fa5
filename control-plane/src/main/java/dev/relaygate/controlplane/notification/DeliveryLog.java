package dev.relaygate.controlplane.notification;

import java.util.Set;
import java.util.UUID;

import org.springframework.stereotype.Service;

import dev.relaygate.controlplane.member.MemberAccess;
import dev.relaygate.controlplane.member.Role;
import dev.relaygate.controlplane.security.Caller;
import dev.relaygate.controlplane.web.ApiException;
import dev.relaygate.controlplane.web.Page;
import dev.relaygate.controlplane.web.PageCursor;
import reactor.core.publisher.Mono;

/** Listing an organization's quota notifications and their deliveries (owners and admins), newest first. */
@Service
public final class DeliveryLog {

    private static final Set<String> STATUSES = Set.of("pending", "delivered", "failed", "skipped");

    private final Deliveries deliveries;

    private final MemberAccess access;

    public DeliveryLog(Deliveries deliveries, MemberAccess access) {
        this.deliveries = deliveries;
        this.access = access;
    }

    public Mono<Page<DeliveryView>> list(Caller caller, UUID organizationId, String cursor, Integer limit,
            String status) {
        return Mono.defer(() -> {
            PageCursor after = PageCursor.decode(cursor);
            int size = PageCursor.limit(limit);
            if (status != null && !STATUSES.contains(status)) {
                throw ApiException.invalidField("status", "must be one of pending, delivered, failed, skipped");
            }
            return access.require(caller, organizationId, Role::canManageNotifications, "read notification deliveries")
                .thenMany(deliveries.page(organizationId, after, size + 1, status))
                .collectList()
                .map(rows -> PageCursor.page(rows, size, row -> new PageCursor(row.createdAt(), row.id()),
                        row -> row));
        });
    }
}
