package dev.relaygate.gateway.auth;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.relaygate.gateway.jsonrpc.JsonRpcCall;
import dev.relaygate.gateway.jsonrpc.JsonRpcEnvelope;
import dev.relaygate.gateway.jsonrpc.JsonRpcErrorCode;
import dev.relaygate.gateway.jsonrpc.JsonRpcRefusal;
import dev.relaygate.gateway.routing.ChainCatalogue;

/**
 * Applies a key's policy and its plan's limits to a request, in this order: the bearer JWT of a JWT-secured key
 * (401), chain, origin and client address (403), the plan's body size (413) and batch size (-32005), then each
 * method (-32601: for a single call the request is refused; in a batch the call is answered in the batch while the
 * rest is relayed). Pure: no HTTP; the hot path turns the {@link PolicyDecision} into an answer.
 */
public final class PolicyCheck {

    private final KeyPolicy policy;

    private final KeyJwtCheck jwt;

    public PolicyCheck(KeyPolicy policy, KeyJwtCheck jwt) {
        this.policy = policy;
        this.jwt = jwt;
    }

    /**
     * The checks that concern the caller rather than the calls: the bearer JWT of a JWT-secured key (401), then chain,
     * origin and client address (403). A WebSocket upgrade is admitted on these alone; every call, over HTTP or on
     * the socket, passes them again within {@link #check}.
     *
     * @return the refusal, or {@code null} when the caller may use the key on {@code chain}
     */
    public PolicyDecision.Refused refuseConnection(ResolvedKey resolved, ChainCatalogue.Chain chain, String bearerToken,
            String origin, InetAddress client) {
        KeySnapshot key = resolved.key();
        if (!jwt.allows(key, bearerToken)) {
            return new PolicyDecision.Refused(JsonRpcErrorCode.UNAUTHORIZED, null, false);
        }
        Optional<String> refused = policy.refuseRequest(key, resolved.plan(), chain.id(), origin, client);
        if (refused.isPresent()) {
            return new PolicyDecision.Refused(JsonRpcErrorCode.FORBIDDEN, refused.get(), false);
        }
        return null;
    }

    /**
     * @param bearerToken the caller's bearer token for a JWT-secured key, or {@code null}
     * @param origin the {@code Origin} header, or {@code null}
     * @param client the client's address as far as trusted proxies tell, or {@code null}
     */
    public PolicyDecision check(ResolvedKey resolved, ChainCatalogue.Chain chain, JsonRpcEnvelope envelope,
            int bodyLength, String bearerToken, String origin, InetAddress client) {
        PolicyDecision.Refused connection = refuseConnection(resolved, chain, bearerToken, origin, client);
        if (connection != null) {
            return connection;
        }
        KeySnapshot key = resolved.key();
        PlanSnapshot plan = resolved.plan();
        boolean originAllowed = origin != null;
        if (plan.maxBodyBytes() > 0 && bodyLength > plan.maxBodyBytes()) {
            return new PolicyDecision.Refused(JsonRpcErrorCode.BODY_TOO_LARGE,
                    "at most " + plan.maxBodyBytes() + " bytes on plan " + plan.name(), originAllowed);
        }
        if (envelope.batch() && plan.maxBatchSize() > 0 && envelope.calls().size() > plan.maxBatchSize()) {
            return new PolicyDecision.Refused(JsonRpcErrorCode.LIMIT_EXCEEDED,
                    "batch larger than " + plan.maxBatchSize() + " calls on plan " + plan.name(), originAllowed);
        }
        String family = chain.family().tableName();
        if (!envelope.batch()) {
            JsonRpcCall call = envelope.calls().get(0);
            Optional<String> why = policy.refuseMethod(key, plan, family, call.method());
            return why.isPresent() ? new PolicyDecision.Refused(JsonRpcErrorCode.METHOD_NOT_ALLOWED, why.get(), originAllowed)
                    : new PolicyDecision.Allowed(List.of(), originAllowed);
        }
        List<JsonRpcRefusal> refusedCalls = new ArrayList<>();
        for (JsonRpcCall call : envelope.calls()) {
            if (call.valid()) {
                policy.refuseMethod(key, plan, family, call.method())
                    .ifPresent(why -> refusedCalls.add(new JsonRpcRefusal(call, JsonRpcErrorCode.METHOD_NOT_ALLOWED, why)));
            }
        }
        return new PolicyDecision.Allowed(refusedCalls, originAllowed);
    }
}
