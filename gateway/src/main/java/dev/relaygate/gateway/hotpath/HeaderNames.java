package dev.relaygate.gateway.hotpath;

import io.netty.util.AsciiString;

import dev.relaygate.gateway.observability.RequestIds;
import dev.relaygate.gateway.observability.ResponseHygieneFilter;

/** The HTTP header names the JSON-RPC endpoint reads and writes, defined once. */
public final class HeaderNames {

    /** A key presented in a header rather than in the path. */
    public static final String API_KEY = "X-Api-Key";

    public static final String RATE_LIMIT_LIMIT = "RateLimit-Limit";

    public static final String RATE_LIMIT_REMAINING = "RateLimit-Remaining";

    public static final String RATE_LIMIT_RESET = "RateLimit-Reset";

    public static final String RETRY_AFTER = "Retry-After";

    /** Compute units of the organization's monthly quota used so far (or of the key's cap that refused). */
    public static final String QUOTA_USED = "X-Relaygate-Quota-Used";

    public static final String QUOTA_LIMIT = "X-Relaygate-Quota-Limit";

    /** Whole seconds until the quota's period ends (calendar month or day, UTC). */
    public static final String QUOTA_RESET = "X-Relaygate-Quota-Reset";

    /** How many upstreams a relayed request was sent to: retries, failovers and hedges included; never which. */
    public static final String UPSTREAM_ATTEMPTS = "X-Relaygate-Upstream-Attempts";

    /** Whether the response cache answered: {@code hit}, {@code partial} (a batch, in part), {@code miss}. */
    public static final String CACHE = "X-Relaygate-Cache";

    static final String CACHE_HIT = "hit";

    static final String CACHE_PARTIAL = "partial";

    static final String CACHE_MISS = "miss";

    public static final String FORWARDED_FOR = "X-Forwarded-For";

    public static final String ORIGIN = "Origin";

    public static final String VARY = "Vary";

    public static final String ALLOW = "Allow";

    public static final String ALLOW_ORIGIN = "Access-Control-Allow-Origin";

    public static final String ALLOW_METHODS = "Access-Control-Allow-Methods";

    public static final String ALLOW_HEADERS = "Access-Control-Allow-Headers";

    public static final String EXPOSE_HEADERS = "Access-Control-Expose-Headers";

    public static final String MAX_AGE = "Access-Control-Max-Age";

    /** Request headers a browser dApp may send. */
    static final String ALLOWED_REQUEST_HEADERS = "Content-Type, Authorization, X-Api-Key, X-Request-Id";

    /**
     * Answer headers a browser dApp may read: the request id, the rate-limit and quota state, the upstream attempts
     * and the cache's part.
     */
    static final String EXPOSED_HEADERS = "X-Request-Id, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, "
            + QUOTA_USED + ", " + QUOTA_LIMIT + ", " + QUOTA_RESET + ", " + UPSTREAM_ATTEMPTS + ", " + CACHE;

    private HeaderNames() {
    }

    /**
     * The names (and constant values) the {@code /v1} route reads or writes on every request, as Netty's
     * {@link AsciiString}: hashed once instead of at each lookup or insertion, compared and validated byte by byte, and
     * copied into the response as bytes. The same strings as above.
     */
    static final class Ascii {

        static final AsciiString REQUEST_ID = AsciiString.cached(RequestIds.HEADER);

        static final AsciiString API_KEY = AsciiString.cached(HeaderNames.API_KEY);

        static final AsciiString ORIGIN = AsciiString.cached(HeaderNames.ORIGIN);

        static final AsciiString FORWARDED_FOR = AsciiString.cached(HeaderNames.FORWARDED_FOR);

        static final AsciiString CONTENT_TYPE_OPTIONS = AsciiString.cached(
                ResponseHygieneFilter.CONTENT_TYPE_OPTIONS_HEADER);

        static final AsciiString NOSNIFF = AsciiString.cached(ResponseHygieneFilter.CONTENT_TYPE_OPTIONS);

        static final AsciiString NO_STORE = AsciiString.cached(ResponseHygieneFilter.CACHE_CONTROL);

        static final AsciiString RATE_LIMIT_LIMIT = AsciiString.cached(HeaderNames.RATE_LIMIT_LIMIT);

        static final AsciiString RATE_LIMIT_REMAINING = AsciiString.cached(HeaderNames.RATE_LIMIT_REMAINING);

        static final AsciiString RATE_LIMIT_RESET = AsciiString.cached(HeaderNames.RATE_LIMIT_RESET);

        static final AsciiString QUOTA_USED = AsciiString.cached(HeaderNames.QUOTA_USED);

        static final AsciiString QUOTA_LIMIT = AsciiString.cached(HeaderNames.QUOTA_LIMIT);

        static final AsciiString QUOTA_RESET = AsciiString.cached(HeaderNames.QUOTA_RESET);

        static final AsciiString UPSTREAM_ATTEMPTS = AsciiString.cached(HeaderNames.UPSTREAM_ATTEMPTS);

        /** The values of {@link #UPSTREAM_ATTEMPTS} up to 9; a request is rarely sent more often. */
        private static final AsciiString[] SMALL_COUNTS = new AsciiString[10];

        static {
            for (int i = 0; i < SMALL_COUNTS.length; i++) {
                SMALL_COUNTS[i] = AsciiString.cached(Integer.toString(i));
            }
        }

        private Ascii() {
        }

        /** {@code count} as a header value. */
        static CharSequence count(int count) {
            return count >= 0 && count < SMALL_COUNTS.length ? SMALL_COUNTS[count] : Integer.toString(count);
        }
    }
}
