package dev.relaygate.controlplane.key;

import java.util.UUID;

import jakarta.validation.Valid;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.relaygate.controlplane.idempotency.IdempotencyKey;
import dev.relaygate.controlplane.security.Caller;
import dev.relaygate.controlplane.web.Page;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import reactor.core.publisher.Mono;

/** REST endpoints of an organization's API keys. */
@Tag(name = "Keys")
@RestController
@RequestMapping("/v1/organizations/{orgId}/keys")
public class ApiKeyController {

    private final ApiKeyService service;

    public ApiKeyController(ApiKeyService service) {
        this.service = service;
    }

    @Operation(summary = "Create a key; the answer is the only one that carries its secret")
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    public Mono<IssuedApiKey> create(Caller caller, @PathVariable UUID orgId,
            @RequestHeader(name = IdempotencyKey.HEADER, required = false) String idempotencyKey,
            @Valid @RequestBody CreateApiKeyRequest request) {
        return service.create(caller, orgId, request,
                IdempotencyKey.of(caller.subject(), "key.create " + orgId, idempotencyKey, request));
    }

    @Operation(summary = "List keys, newest first (masked)")
    @GetMapping
    public Mono<Page<ApiKeyView>> list(Caller caller, @PathVariable UUID orgId,
            @RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) Boolean revoked, @RequestParam(required = false) String name) {
        return service.list(caller, orgId, cursor, limit, revoked, name);
    }

    @Operation(summary = "Read a key (masked)")
    @GetMapping("/{keyId}")
    public Mono<ApiKeyView> get(Caller caller, @PathVariable UUID orgId, @PathVariable UUID keyId) {
        return service.get(caller, orgId, keyId);
    }

    @Operation(summary = "Change a key's name, expiry or policy (allowlists, JWT public keys)")
    @PatchMapping("/{keyId}")
    public Mono<ApiKeyView> update(Caller caller, @PathVariable UUID orgId, @PathVariable UUID keyId,
            @Valid @RequestBody UpdateApiKeyRequest request) {
        return service.update(caller, orgId, keyId, request);
    }

    @Operation(summary = "Issue a new secret; the old one works until the grace period ends")
    @PostMapping("/{keyId}/rotate")
    public Mono<IssuedApiKey> rotate(Caller caller, @PathVariable UUID orgId, @PathVariable UUID keyId,
            @RequestHeader(name = IdempotencyKey.HEADER, required = false) String idempotencyKey,
            @Valid @RequestBody(required = false) RotateApiKeyRequest request) {
        RotateApiKeyRequest body = request == null ? new RotateApiKeyRequest(null) : request;
        return service.rotate(caller, orgId, keyId, body,
                IdempotencyKey.of(caller.subject(), "key.rotate " + orgId + " " + keyId, idempotencyKey, body));
    }

    @Operation(summary = "Revoke a key (idempotent)")
    @PostMapping("/{keyId}/revoke")
    public Mono<ApiKeyView> revoke(Caller caller, @PathVariable UUID orgId, @PathVariable UUID keyId) {
        return service.revoke(caller, orgId, keyId);
    }
}
