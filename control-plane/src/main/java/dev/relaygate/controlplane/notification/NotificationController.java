package dev.relaygate.controlplane.notification;

import java.util.UUID;

import jakarta.validation.Valid;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.relaygate.controlplane.security.Caller;
import dev.relaygate.controlplane.web.Page;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import reactor.core.publisher.Mono;

/** REST endpoints of an organization's quota notifications: its webhook and the deliveries to it. */
@Tag(name = "Notifications")
@RestController
@RequestMapping("/v1/organizations/{orgId}/notifications")
public class NotificationController {

    private final NotificationWebhooks webhooks;

    private final DeliveryLog log;

    public NotificationController(NotificationWebhooks webhooks, DeliveryLog log) {
        this.webhooks = webhooks;
        this.log = log;
    }

    @Operation(summary = "Read the notification webhook (owner, admin)",
            description = "The signing secret is never answered here, only its first characters.")
    @GetMapping("/webhook")
    public Mono<WebhookView> webhook(Caller caller, @PathVariable UUID orgId) {
        return webhooks.get(caller, orgId);
    }

    @Operation(summary = "Set the notification webhook (owner, admin)",
            description = "The first PUT, and one with rotateSecret, issues a signing secret: it is in this answer "
                    + "only. Other PUTs change the URL and keep the secret.")
    @PutMapping("/webhook")
    public Mono<WebhookView> setWebhook(Caller caller, @PathVariable UUID orgId,
            @Valid @RequestBody SetWebhookRequest request) {
        return webhooks.set(caller, orgId, request);
    }

    @Operation(summary = "Remove the notification webhook (owner, admin)",
            description = "Pending deliveries then fail; thresholds crossed afterwards are recorded as skipped.")
    @DeleteMapping("/webhook")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public Mono<Void> removeWebhook(Caller caller, @PathVariable UUID orgId) {
        return webhooks.remove(caller, orgId);
    }

    @Operation(summary = "List quota notifications and their deliveries, newest first (owner, admin)")
    @GetMapping("/deliveries")
    public Mono<Page<DeliveryView>> deliveries(Caller caller, @PathVariable UUID orgId,
            @RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit,
            @Parameter(description = "pending, delivered, failed or skipped") @RequestParam(required = false)
            String status) {
        return log.list(caller, orgId, cursor, limit, status);
    }
}
