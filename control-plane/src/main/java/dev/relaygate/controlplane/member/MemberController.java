package dev.relaygate.controlplane.member;

import java.util.UUID;

import jakarta.validation.Valid;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
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

/** REST endpoints of an organization's members. */
@Tag(name = "Members")
@RestController
@RequestMapping("/v1/organizations/{orgId}/members")
public class MemberController {

    private final MemberService service;

    public MemberController(MemberService service) {
        this.service = service;
    }

    @Operation(summary = "Invite a member by subject or e-mail")
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    public Mono<MemberView> invite(Caller caller, @PathVariable UUID orgId,
            @RequestHeader(name = IdempotencyKey.HEADER, required = false) String idempotencyKey,
            @Valid @RequestBody InviteMemberRequest request) {
        return service.invite(caller, orgId, request,
                IdempotencyKey.of(caller.subject(), "member.invite " + orgId, idempotencyKey, request));
    }

    @Operation(summary = "List members, newest first")
    @GetMapping
    public Mono<Page<MemberView>> list(Caller caller, @PathVariable UUID orgId,
            @RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String role) {
        return service.list(caller, orgId, cursor, limit, role == null ? null : Role.parameter("role", role));
    }

    @Operation(summary = "Read a member")
    @GetMapping("/{memberId}")
    public Mono<MemberView> get(Caller caller, @PathVariable UUID orgId, @PathVariable UUID memberId) {
        return service.get(caller, orgId, memberId);
    }

    @Operation(summary = "Change a member's role")
    @PatchMapping("/{memberId}")
    public Mono<MemberView> changeRole(Caller caller, @PathVariable UUID orgId, @PathVariable UUID memberId,
            @Valid @RequestBody UpdateMemberRequest request) {
        return service.changeRole(caller, orgId, memberId, request);
    }

    @Operation(summary = "Remove a member (or leave); the last owner cannot be removed")
    @DeleteMapping("/{memberId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public Mono<Void> remove(Caller caller, @PathVariable UUID orgId, @PathVariable UUID memberId) {
        return service.remove(caller, orgId, memberId);
    }
}
