package dev.relaygate.gateway.hotpath;

/**
 * The two path forms of the JSON-RPC endpoint: {@code /v1/{chain}} (key in a header) and
 * {@code /v1/{chain}/{apiKey}}. Parsed from the raw request target; the query, if any, is ignored.
 *
 * @param chain the chain id or alias as written
 * @param apiKey the key in the path, or {@code null} when the path has none
 */
record RequestPath(String chain, String apiKey) {

    static final String PREFIX = "/v1/";

    /** Whether Relaygate's JSON-RPC endpoint serves {@code uri}: {@code /v1} and everything under it. */
    static boolean served(String uri) {
        return uri.startsWith(PREFIX) || uri.equals("/v1") || uri.startsWith("/v1?");
    }

    /** The path's chain and key, or {@code null} when it has neither form (an unknown path under {@code /v1/}). */
    static RequestPath parse(String uri) {
        if (!uri.startsWith(PREFIX)) {
            return null;
        }
        int end = uri.length();
        for (int i = PREFIX.length(); i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        int slash = uri.indexOf('/', PREFIX.length());
        if (slash < 0 || slash >= end) {
            String chain = uri.substring(PREFIX.length(), end);
            return chain.isEmpty() ? null : new RequestPath(chain, null);
        }
        String chain = uri.substring(PREFIX.length(), slash);
        String apiKey = uri.substring(slash + 1, end);
        if (chain.isEmpty() || apiKey.isEmpty() || apiKey.indexOf('/') >= 0) {
            return null;
        }
        return new RequestPath(chain, apiKey);
    }

    /** For log lines: the key is never written, only whether the path carried one. */
    @Override
    public String toString() {
        return PREFIX + chain + (apiKey == null ? "" : "/{apiKey}");
    }
}
