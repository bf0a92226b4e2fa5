package dev.relaygate.controlplane.quota;

import java.util.UUID;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.relaygate.controlplane.security.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import reactor.core.publisher.Mono;

/** REST endpoint of an organization's current-period quota status. */
@Tag(name = "Quotas")
@RestController
public class QuotaController {

    private final QuotaStatuses statuses;

    public QuotaController(QuotaStatuses statuses) {
        this.statuses = statuses;
    }

    @Operation(summary = "Quota status of the organization and of each capped key in the current period (members)",
            description = "Monthly quota of the organization's plan and the daily and monthly caps of its keys, with "
                    + "the compute units charged so far from the usage aggregates. It lags the gateways by the usage "
                    + "pipeline's delay; the gateways enforce the quotas from their own counters.")
    @GetMapping("/v1/organizations/{orgId}/quota")
    public Mono<QuotaStatus> quota(Caller caller, @PathVariable UUID orgId) {
        return statuses.status(caller, orgId);
    }
}
