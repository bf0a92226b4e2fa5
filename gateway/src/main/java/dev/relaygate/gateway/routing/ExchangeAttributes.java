package dev.relaygate.gateway.routing;

/**
 * Names of the exchange attributes the hot-path filters pass to each other, in one place. Each filter reads
 * the attributes of the steps before it and writes one of its own.
 */
public final class ExchangeAttributes {

    private static final String PREFIX = "relaygate.";

    /** {@code String}: the request's id, echoed in {@code X-Request-Id} and written in log lines. */
    public static final String REQUEST_ID = PREFIX + "requestId";

    /** {@code byte[]}: the request body exactly as received. */
    public static final String BODY = PREFIX + "body";

    /** {@link dev.relaygate.gateway.jsonrpc.JsonRpcEnvelope}: what the body asks for. */
    public static final String ENVELOPE = PREFIX + "envelope";

    /**
     * {@code List<JsonRpcRefusal>}: calls of a batch the gateway answers itself (invalid, or refused by policy);
     * the relay sends the others and splices both answers.
     */
    public static final String REFUSALS = PREFIX + "refusals";

    /** {@link ChainCatalogue.Chain}: the chain named in the path. */
    public static final String CHAIN = PREFIX + "chain";

    /** {@link dev.relaygate.gateway.auth.KeySnapshot}: the caller's key, found and active. */
    public static final String KEY = PREFIX + "key";

    /** {@link dev.relaygate.gateway.auth.PlanSnapshot}: the plan of the caller's key. */
    public static final String PLAN = PREFIX + "plan";

    private ExchangeAttributes() {
    }
}
