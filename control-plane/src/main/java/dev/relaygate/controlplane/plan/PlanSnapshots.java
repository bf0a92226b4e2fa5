package dev.relaygate.controlplane.plan;

import java.util.UUID;

import org.springframework.stereotype.Component;

import dev.relaygate.controlplane.propagation.PendingSnapshot;
import dev.relaygate.controlplane.propagation.RedisNames;
import dev.relaygate.controlplane.propagation.StartupSnapshots;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/** Builds plan snapshots from Postgres, for publication and for the gateways' internal endpoint. */
@Component
public final class PlanSnapshots implements StartupSnapshots {

    private final PlanRepository plans;

    private final JsonMapper json;

    public PlanSnapshots(PlanRepository plans, JsonMapper json) {
        this.plans = plans;
        this.json = json;
    }

    public PendingSnapshot snapshot(Plan plan) {
        return new PendingSnapshot(RedisNames.planSnapshot(plan.id()), PendingSnapshot.PLAN, plan.id().toString(),
                plan.version(), json.writeValueAsString(PlanSnapshot.of(plan)));
    }

    public Mono<PendingSnapshot> find(UUID planId) {
        return plans.find(planId).map(this::snapshot);
    }

    @Override
    public Flux<PendingSnapshot> all() {
        return plans.live().map(this::snapshot);
    }
}
