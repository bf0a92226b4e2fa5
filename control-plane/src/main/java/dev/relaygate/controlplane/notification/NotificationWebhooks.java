package dev.relaygate.controlplane.notification;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;

import dev.relaygate.controlplane.auditlog.AuditEntry;
import dev.relaygate.controlplane.auditlog.AuditLog;
import dev.relaygate.controlplane.member.MemberAccess;
import dev.relaygate.controlplane.member.Role;
import dev.relaygate.controlplane.security.Caller;
import dev.relaygate.controlplane.web.ApiException;
import reactor.core.publisher.Mono;

/**
 * An organization's notification webhook (owners and admins): read, set, remove. The signing secret is generated
 * here, answered once when issued (the first set, or a rotation) and afterwards only by its first characters; audit
 * entries record the URL without its query (which may hold a token of the receiver's) and never the secret.
 */
@Service
public final class NotificationWebhooks {

    /** Secret prefix, so a leaked secret is recognisable (secret scanners). */
    static final String SECRET_PREFIX = "rgwhsec_";

    private final DatabaseClient db;

    private final MemberAccess access;

    private final WebhookAddresses addresses;

    private final AuditLog audit;

    private final TransactionalOperator tx;

    private final Clock clock;

    private final SecureRandom random = new SecureRandom();

    public NotificationWebhooks(DatabaseClient db, MemberAccess access, WebhookAddresses addresses, AuditLog audit,
            TransactionalOperator tx, Clock clock) {
        this.db = db;
        this.access = access;
        this.addresses = addresses;
        this.audit = audit;
        this.tx = tx;
        this.clock = clock;
    }

    public Mono<WebhookView> get(Caller caller, UUID organizationId) {
        return manage(caller, organizationId, "read the notification webhook")
            .then(find(organizationId))
            .map(webhook -> WebhookView.of(webhook, false))
            .defaultIfEmpty(WebhookView.none());
    }

    public Mono<WebhookView> set(Caller caller, UUID organizationId, SetWebhookRequest request) {
        return Mono.defer(() -> {
            URI url = parse(request.url());
            boolean rotate = Boolean.TRUE.equals(request.rotateSecret());
            String fresh = newSecret();
            Instant now = clock.instant();
            Mono<WebhookView> change = db.sql("insert into notification_webhooks as w (organization_id, url, "
                    + "signing_secret, created_at, updated_at) values (:org, :url, :secret, :now, :now) "
                    + "on conflict (organization_id) do update set url = excluded.url, updated_at = excluded.updated_at, "
                    + "signing_secret = case when :rotate then excluded.signing_secret else w.signing_secret end "
                    + "returning organization_id, url, signing_secret, created_at, updated_at")
                .bind("org", organizationId)
                .bind("url", url.toString())
                .bind("secret", fresh)
                .bind("now", now)
                .bind("rotate", rotate)
                .map(NotificationWebhooks::webhook)
                .one()
                .flatMap(stored -> {
                    boolean issued = stored.signingSecret().equals(fresh);
                    Map<String, Object> after = new LinkedHashMap<>();
                    after.put("url", redacted(url));
                    after.put("secretIssued", issued);
                    return audit.append(new AuditEntry(organizationId, caller.subject(), "notification.webhook.set",
                            "notification_webhook", organizationId.toString(), null, after, caller.requestId()))
                        .thenReturn(WebhookView.of(stored, issued));
                });
            return manage(caller, organizationId, "set the notification webhook")
                .then(addresses.check(url)
                    .onErrorMap(WebhookAddresses.Refused.class,
                            refused -> ApiException.invalidField("url", refused.getMessage())))
                .then(tx.transactional(change));
        });
    }

    /** Removes the webhook; removing none is no error (the state asked for holds). */
    public Mono<Void> remove(Caller caller, UUID organizationId) {
        Mono<Void> change = db.sql("delete from notification_webhooks where organization_id = :org returning url")
            .bind("org", organizationId)
            .map(row -> row.get("url", String.class))
            .one()
            .flatMap(url -> audit.append(new AuditEntry(organizationId, caller.subject(),
                    "notification.webhook.delete", "notification_webhook", organizationId.toString(),
                    Map.of("url", redacted(URI.create(url))), null, caller.requestId())));
        return manage(caller, organizationId, "remove the notification webhook").then(tx.transactional(change));
    }

    private Mono<Role> manage(Caller caller, UUID organizationId, String action) {
        return access.require(caller, organizationId, Role::canManageNotifications, action);
    }

    private Mono<StoredWebhook> find(UUID organizationId) {
        return db.sql("select organization_id, url, signing_secret, created_at, updated_at from notification_webhooks "
                + "where organization_id = :org")
            .bind("org", organizationId)
            .map(NotificationWebhooks::webhook)
            .one();
    }

    private static URI parse(String url) {
        try {
            return WebhookAddresses.parse(url.strip());
        }
        catch (WebhookAddresses.Refused refused) {
            throw ApiException.invalidField("url", refused.getMessage());
        }
    }

    private String newSecret() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return SECRET_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The URL without query: enough to say where deliveries go, without a token the receiver put in it. */
    static String redacted(URI url) {
        return url.getScheme() + "://" + url.getRawAuthority() + (url.getRawPath() == null ? "" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?…");
    }

    private static StoredWebhook webhook(Readable row) {
        return new StoredWebhook(row.get("organization_id", UUID.class), row.get("url", String.class),
                row.get("signing_secret", String.class), row.get("created_at", Instant.class),
                row.get("updated_at", Instant.class));
    }
}
