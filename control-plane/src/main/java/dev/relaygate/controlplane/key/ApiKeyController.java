package dev.relaygate.controlplane.key;

import java.util.UUID;

import jakarta.validation.Valid;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.relaygate.controlplane.security.Caller;
import dev.relaygate.controlplane.web.Page;
import reactor.core.publisher.Mono;

/** REST endpoints of an organization's API keys. */
@RestController
@RequestMapping("/v1/organizations/{orgId}/keys")
public class ApiKeyController {

    private final ApiKeyService service;

    public ApiKeyController(ApiKeyService service) {
        this.service = service;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    public Mono<IssuedApiKey> create(Caller caller, @PathVariable UUID orgId,
            @Valid @RequestBody CreateApiKeyRequest request) {
        return service.create(caller, orgId, request);
    }

    @GetMapping
    public Mono<Page<ApiKeyView>> list(Caller caller, @PathVariable UUID orgId,
            @RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) Boolean revoked, @RequestParam(required = false) String name) {
        return service.list(caller, orgId, cursor, limit, revoked, name);
    }

    @GetMapping("/{keyId}")
    public Mono<ApiKeyView> get(Caller caller, @PathVariable UUID orgId, @PathVariable UUID keyId) {
        return service.get(caller, orgId, keyId);
    }

    @PostMapping("/{keyId}/revoke")
    public Mono<ApiKeyView> revoke(Caller caller, @PathVariable UUID orgId, @PathVariable UUID keyId) {
        return service.revoke(caller, orgId, keyId);
    }
}
