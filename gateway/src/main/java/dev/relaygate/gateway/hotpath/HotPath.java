package dev.relaygate.gateway.hotpath;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.micrometer.tracing.Span;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Fuseable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import dev.relaygate.gateway.auth.ApiKeyFormat;
import dev.relaygate.gateway.auth.KeyPolicy;
import dev.relaygate.gateway.auth.KeyResolver;
import dev.relaygate.gateway.auth.KeySnapshot;
import dev.relaygate.gateway.auth.PlanSnapshot;
import dev.relaygate.gateway.auth.PolicyCheck;
import dev.relaygate.gateway.auth.PolicyDecision;
import dev.relaygate.gateway.auth.ResolvedKey;
import dev.relaygate.gateway.auth.TrustedProxies;
import dev.relaygate.gateway.jsonrpc.JsonRpcAnswers;
import dev.relaygate.gateway.jsonrpc.JsonRpcBatches;
import dev.relaygate.gateway.jsonrpc.JsonRpcCall;
import dev.relaygate.gateway.jsonrpc.JsonRpcEnvelope;
import dev.relaygate.gateway.jsonrpc.JsonRpcErrorCode;
import dev.relaygate.gateway.jsonrpc.JsonRpcErrors;
import dev.relaygate.gateway.jsonrpc.JsonRpcId;
import dev.relaygate.gateway.jsonrpc.JsonRpcReader;
import dev.relaygate.gateway.jsonrpc.JsonRpcRefusal;
import dev.relaygate.gateway.observability.RequestTrace;
import dev.relaygate.gateway.ratelimit.KeyCaps;
import dev.relaygate.gateway.ratelimit.MethodWeights;
import dev.relaygate.gateway.ratelimit.RateLimitDecision;
import dev.relaygate.gateway.ratelimit.RateLimitPolicy;
import dev.relaygate.gateway.ratelimit.RateLimiter;
import dev.relaygate.gateway.routing.ChainCatalogue;
import dev.relaygate.gateway.upstream.ResponseCache;
import dev.relaygate.gateway.upstream.UpstreamResponse;
import dev.relaygate.gateway.upstream.UpstreamRouter;
import dev.relaygate.gateway.usage.UsageCall;
import dev.relaygate.gateway.usage.UsageRecord;
import dev.relaygate.gateway.usage.UsageRecorder;

/**
 * The hot path, one step after another, over one {@link GatewayRequest}: read the JSON-RPC body, find the chain,
 * resolve the key, apply its policy and plan, take compute units from the bucket, relay, and hand a usage record
 * to the recorder. Each step asks a decider that knows nothing of HTTP ({@link JsonRpcReader},
 * {@link ChainCatalogue}, {@link KeyResolver}, {@link PolicyCheck}, {@link RateLimiter}, {@link UpstreamRouter})
 * and turns its answer into the next step or into an {@link Answer}. Nothing here blocks or touches Netty.
 */
public final class HotPath {

    private static final Logger log = LoggerFactory.getLogger(HotPath.class);

    private static final byte[] NO_ANSWER = new byte[0];

    /** At most this many distinct method names on a span or an access-log line; a longer batch ends in "…". */
    private static final int MAX_METHOD_NAMES = 4;

    /** The name that stands for every method the weight table does not name: a caller's string is never shown. */
    static final String OTHER_METHOD = "other";

    /** Characters of a key shown in traces and access logs: {@code rgk_} and 8, the control plane's display prefix. */
    static final int KEY_PREFIX_LENGTH = 12;

    private final JsonRpcReader reader;

    private final ChainCatalogue catalogue;

    private final KeyResolver keys;

    private final PolicyCheck policy;

    private final TrustedProxies proxies;

    private final MethodWeights weights;

    private final RateLimiter limiter;

    private final UpstreamRouter upstream;

    private final ResponseCache cache;

    private final UsageRecorder usage;

    private final Clock clock;

    HotPath(JsonRpcReader reader, ChainCatalogue catalogue, KeyResolver keys, PolicyCheck policy,
            TrustedProxies proxies, MethodWeights weights, RateLimiter limiter, UpstreamRouter upstream,
            ResponseCache cache, UsageRecorder usage, Clock clock) {
        this.reader = reader;
        this.catalogue = catalogue;
        this.keys = keys;
        this.policy = policy;
        this.proxies = proxies;
        this.weights = weights;
        this.limiter = limiter;
        this.upstream = upstream;
        this.cache = cache;
        this.usage = usage;
        this.clock = clock;
    }

    /** Answers a POST. */
    Mono<Answer> handle(GatewayRequest request) {
        JsonRpcReader.Result result = reader.read(request.body());
        Answer unreadable = unreadable(result);
        if (unreadable != null) {
            return Mono.just(unreadable);
        }
        JsonRpcEnvelope envelope = ((JsonRpcReader.Read) result).envelope();
        ChainCatalogue.Chain chain = catalogue.find(request.path().chain()).orElse(null);
        if (chain == null) {
            return Mono.just(Answer.error(JsonRpcErrorCode.CHAIN_NOT_FOUND, envelope.wholeRequestId(), null));
        }
        RequestTrace trace = request.trace();
        String presented = request.presentedKey();
        if (trace.active()) {
            trace.chain(chain.id());
            trace.methods(methodNames(chain, envelope));
            trace.keyPrefix(ApiKeyFormat.isWellFormed(presented) ? presented.substring(0, KEY_PREFIX_LENGTH) : null);
        }
        Span keySpan = trace.step(RequestTrace.KEY);
        ResolvedKey cached = keys.resolveNow(presented);
        if (cached != null) {
            return admit(request, chain, envelope, cached, keySpan, null);
        }
        return onLoop(lookUpMissed(request), request)
            .flatMap(lookup -> {
                if (lookup.key() != null) {
                    return admit(request, chain, envelope, lookup.key(), keySpan, null);
                }
                keySpan.tag(RequestTrace.OUTCOME, lookup == Lookup.UNAVAILABLE ? "unavailable" : "refused").end();
                return Mono.just(Answer.error(lookup.refusal(), envelope.wholeRequestId(), null));
            });
    }

    /**
     * The methods of the request for a span or a log line: the distinct names the weight table knows, in order,
     * {@value #OTHER_METHOD} for any other, at most {@value #MAX_METHOD_NAMES} then "…". Never the caller's own string,
     * which could be anything (a key pasted in the wrong field).
     */
    private String methodNames(ChainCatalogue.Chain chain, JsonRpcEnvelope envelope) {
        String family = chain.family().tableName();
        List<String> names = new ArrayList<>(2);
        for (JsonRpcCall call : envelope.calls()) {
            String name = weights.knows(family, call.method()) ? call.method() : OTHER_METHOD;
            if (!names.contains(name)) {
                if (names.size() == MAX_METHOD_NAMES) {
                    names.add("…");
                    break;
                }
                names.add(name);
            }
        }
        return String.join(",", names);
    }

    /**
     * Answers one message of an open WebSocket with the checks, limits and metering of a POST, for the key the socket
     * was admitted with (kept current by {@link SocketSessions}): JSON-RPC checks, the key's policy and plan, the rate
     * limit and quotas, then the relay, or {@code local} for the calls the socket serves itself (subscriptions).
     */
    Mono<Answer> handleMessage(GatewayRequest message, ChainCatalogue.Chain chain, ResolvedKey key, LocalCalls local) {
        JsonRpcReader.Result result = reader.read(message.body());
        Answer unreadable = unreadable(result);
        if (unreadable != null) {
            return Mono.just(unreadable);
        }
        return admit(message, chain, ((JsonRpcReader.Read) result).envelope(), key, Span.NOOP, local);
    }

    /**
     * Decides a WebSocket upgrade, and again whether an open socket may stay open after its key or plan changed: the
     * chain, the key, and the key's policy for the caller (JWT, chain, origin, client address), as a POST would be
     * decided before its calls are looked at. Never errors.
     */
    Mono<SocketAdmission> admitSocket(GatewayRequest upgrade) {
        ChainCatalogue.Chain chain = catalogue.find(upgrade.path().chain()).orElse(null);
        if (chain == null) {
            return Mono.just(SocketAdmission.refused(Answer.error(JsonRpcErrorCode.CHAIN_NOT_FOUND, JsonRpcId.NULL,
                    null)));
        }
        return lookUp(upgrade).map(lookup -> {
            if (lookup.key() == null) {
                return SocketAdmission.refused(Answer.error(lookup.refusal(), JsonRpcId.NULL, null));
            }
            PolicyDecision.Refused refused = policy.refuseConnection(lookup.key(), chain, jwtOf(upgrade),
                    upgrade.origin(), client(upgrade));
            return refused == null ? new SocketAdmission(chain, lookup.key(), null)
                    : SocketAdmission.refused(Answer.error(refused.code(), JsonRpcId.NULL, refused.detail()));
        });
    }

    /**
     * Meters one subscription notification delivered on a socket: one call of {@code method} (the subscription's
     * type, docs/websocket.md) weighing {@code computeUnits}, outcome ok. Notifications are not refused by the rate
     * limit: refusing one would skip it silently.
     */
    void meterNotification(String socketId, ChainCatalogue.Chain chain, ResolvedKey key, String method,
            long computeUnits) {
        usage.record(UsageRecord.relayed(clock.instant(), socketId, key.key().organizationId(), key.key().keyId(),
                key.plan().planId(), chain.id(), List.of(new UsageCall(method, null, computeUnits)), 200, NO_ANSWER,
                Duration.ZERO));
    }

    /** The answer to a body that is not JSON-RPC at all, or to a single invalid call; {@code null} otherwise. */
    private static Answer unreadable(JsonRpcReader.Result result) {
        if (result instanceof JsonRpcReader.Rejected rejected) {
            return Answer.error(rejected.code(), JsonRpcId.NULL, rejected.detail());
        }
        JsonRpcEnvelope envelope = ((JsonRpcReader.Read) result).envelope();
        JsonRpcCall single = envelope.calls().get(0);
        if (!envelope.batch() && !single.valid()) {
            return Answer.error(JsonRpcErrorCode.INVALID_REQUEST, single.id(), single.invalid());
        }
        return null;
    }

    private Mono<Lookup> lookUp(GatewayRequest request) {
        ResolvedKey cached = keys.resolveNow(request.presentedKey());
        if (cached != null) {
            return Mono.just(Lookup.found(cached));
        }
        return lookUpMissed(request);
    }

    /** As {@link #lookUp}, for a key {@link KeyResolver#resolveNow} has just missed. */
    private Mono<Lookup> lookUpMissed(GatewayRequest request) {
        return keys.resolve(request.presentedKey())
            .map(Lookup::found)
            .defaultIfEmpty(Lookup.REFUSED)
            .onErrorResume(failure -> {
                // SnapshotSource logs why (at most every 10 s: in an outage this is every request with a new key).
                if (log.isDebugEnabled()) {
                    try (RequestTrace.LogIds ids = request.trace().logIds()) {
                        log.debug("Request {}: key lookup failed: {}", request.requestId(), failure.toString());
                    }
                }
                return Mono.just(Lookup.UNAVAILABLE);
            });
    }

    /**
     * Answers a CORS preflight. With the key in the path, the origin must pass the key's allowlist (an empty allowlist
     * allows any origin); with the key in a header, which a preflight does not carry, the real request is checked.
     */
    Mono<Answer> preflight(RequestPath path, String origin) {
        if (origin == null) {
            return Mono.just(Answer.empty(403).header(HeaderNames.VARY, HeaderNames.ORIGIN));
        }
        if (path.apiKey() == null) {
            return Mono.just(preflightAllowed(origin));
        }
        return keys.resolve(path.apiKey())
            .map(resolved -> resolved.key().policy().allowedOrigins().isEmpty()
                    || KeyPolicy.allowsOrigin(resolved.key().policy().allowedOrigins(), origin))
            .defaultIfEmpty(false)
            .onErrorReturn(false)
            .map(allowed -> allowed ? preflightAllowed(origin)
                    : Answer.empty(403).header(HeaderNames.VARY, HeaderNames.ORIGIN));
    }

    private static Answer preflightAllowed(String origin) {
        return Answer.empty(204)
            .header(HeaderNames.VARY, HeaderNames.ORIGIN)
            .header(HeaderNames.ALLOW_ORIGIN, origin)
            .header(HeaderNames.ALLOW_METHODS, "POST, OPTIONS")
            .header(HeaderNames.ALLOW_HEADERS, HeaderNames.ALLOWED_REQUEST_HEADERS)
            .header(HeaderNames.EXPOSE_HEADERS, HeaderNames.EXPOSED_HEADERS)
            .header(HeaderNames.MAX_AGE, "600");
    }

    /**
     * Policy, then the rate limit, then the relay, for a usable key.
     *
     * @param keySpan the key step's span, ended here ({@link Span#NOOP} when the request is not traced)
     * @param local on a WebSocket, the calls it answers itself; {@code null} for a POST
     */
    private Mono<Answer> admit(GatewayRequest request, ChainCatalogue.Chain chain, JsonRpcEnvelope envelope,
            ResolvedKey key, Span keySpan, LocalCalls local) {
        PolicyDecision decision = policy.check(key, chain, envelope, request.body().length, jwtOf(request),
                request.origin(), client(request));
        RequestTrace trace = request.trace();
        if (trace.active()) {
            trace.keyId(key.key().keyId());
            keySpan.tag(RequestTrace.KEY_ID, key.key().keyId())
                .tag(RequestTrace.OUTCOME, decision instanceof PolicyDecision.Refused ? "refused" : "allowed");
        }
        keySpan.end();
        List<String> cors = decision.originAllowed() ? cors(request.origin()) : List.of();
        if (decision instanceof PolicyDecision.Refused refused) {
            return Mono.just(Answer.error(refused.code(), envelope.wholeRequestId(), refused.detail()).headers(cors));
        }
        List<JsonRpcRefusal> refusals = refusals(envelope, ((PolicyDecision.Allowed) decision).refusedCalls());
        List<JsonRpcCall> relayed = refusals.isEmpty() ? envelope.calls() : JsonRpcBatches.relayed(envelope, refusals);
        if (relayed.isEmpty()) {
            return Mono.just(Answer.json(200, Answer.JSON, JsonRpcErrors.errors(refusals)).headers(cors));
        }
        // Each call priced once: the bucket takes the sum, metering charges each call its own weight.
        List<UsageCall> calls = usageCalls(chain, relayed);
        List<String> methods;
        long cost = 0;
        if (calls.size() == 1) {
            methods = List.of(calls.get(0).method());
            cost = calls.get(0).computeUnits();
        }
        else {
            methods = new ArrayList<>(calls.size());
            for (UsageCall call : calls) {
                methods.add(call.method());
                cost = Math.addExact(cost, call.computeUnits());
            }
        }
        Span limitSpan = trace.step(RequestTrace.RATE_LIMIT);
        Mono<RateLimitDecision> decided = limiter.consume(key.key().organizationId(), policyOf(key.plan()),
                key.plan().monthlyComputeUnits(), capsOf(key.key()), cost);
        if (trace.traced()) {
            decided = traced(decided, limitSpan, cost);
        }
        return onLoop(decided, request)
            .flatMap(limit -> {
                List<CharSequence> headers = rateLimitHeaders(limit, cors);
                if (!limit.allowed()) {
                    usage.record(UsageRecord.rateLimited(clock.instant(), request.requestId(),
                            key.key().organizationId(), key.key().keyId(), key.plan().planId(), chain.id(),
                            calls));
                    JsonRpcErrorCode code = refusalCode(limit.refusedBy());
                    // On a socket each call of a batch gets the refusal with its own id (no HTTP status to carry it).
                    byte[] refusal = local != null && envelope.batch()
                            ? JsonRpcErrors.errorsWithJsonData(code, relayed, refusalData(limit),
                                    refusals.isEmpty() ? null : JsonRpcErrors.errors(refusals))
                            : JsonRpcErrors.errorWithJsonData(code, envelope.wholeRequestId(), refusalData(limit));
                    return Mono.just(Answer.json(code.status(), Answer.JSON, refusal)
                        .headers(headers)
                        .header(HeaderNames.RETRY_AFTER, Long.toString(limit.retryAfterSeconds())));
                }
                if (local != null && !envelope.batch() && local.serves(relayed.get(0).method())) {
                    return answerLocally(request, chain, key, relayed.get(0), calls, local)
                        .map(done -> done.headers(headers));
                }
                // The bucket is taken before the cache is asked: a hit counts against the limit like any call.
                Mono<Answer> answer = cache.mayAnswer(chain, relayed)
                        ? cache.lookup(chain.id(), request.body(), envelope.batch(), relayed)
                            .flatMap(lookup -> lookup.complete()
                                    ? Mono.just(fromCache(request, chain, key, envelope, refusals, relayed, calls, lookup))
                                    : relay(request, chain, key, envelope, refusals, relayed, calls, methods,
                                            lookup.cacheable() ? lookup : null))
                        : relay(request, chain, key, envelope, refusals, relayed, calls, methods, null);
                return answer.map(done -> done.headers(headers));
            });
    }

    /**
     * {@code step}, continued on the request's event loop when it is not answered at once: a Redis reply completes on
     * Lettuce's thread, and the relay and the answer that follow would run there, away from the request's connection
     * and its loop's upstream pool (two hops between threads instead of one).
     */
    private static <T> Mono<T> onLoop(Mono<T> step, GatewayRequest request) {
        if (request.loop() == null || step instanceof Fuseable.ScalarCallable) {
            return step;
        }
        return step.publishOn(Schedulers.fromExecutor(request.loop()));
    }

    /** The rate-limit decision with its span: the units asked, whether they were granted and, if not, which limit. */
    private static Mono<RateLimitDecision> traced(Mono<RateLimitDecision> decided, Span span, long cost) {
        span.tag(RequestTrace.RATE_LIMIT_UNITS, cost);
        return decided
            .doOnNext(limit -> span.tag(RequestTrace.OUTCOME, limit.allowed() ? "allowed" : "refused")
                .tag(RequestTrace.RATE_LIMIT_LIMIT, limit.refusedBy().name().toLowerCase(Locale.ROOT)))
            .doOnError(span::error)
            .doFinally(signal -> span.end());
    }

    /**
     * Answers every call from the cache: each cached result with the caller's own id, no upstream asked. Metered as
     * if relayed (the same calls, the same compute units, outcome ok).
     */
    private Answer fromCache(GatewayRequest request, ChainCatalogue.Chain chain, ResolvedKey key,
            JsonRpcEnvelope envelope, List<JsonRpcRefusal> refusals, List<JsonRpcCall> relayed, List<UsageCall> calls,
            ResponseCache.Lookup lookup) {
        Instant at = clock.instant();
        long started = System.nanoTime();
        byte[] body = envelope.batch()
                ? JsonRpcAnswers.batch(relayed, lookup.results(), null,
                        refusals.isEmpty() ? null : JsonRpcErrors.errors(refusals))
                : JsonRpcAnswers.result(relayed.get(0).id(), lookup.results()[0]);
        record(request, chain, key, calls, at, started, new UpstreamResponse(200, Answer.JSON, body));
        return Answer.json(200, Answer.JSON, body)
            .header(HeaderNames.UPSTREAM_ATTEMPTS, "0")
            .header(HeaderNames.CACHE, HeaderNames.CACHE_HIT);
    }

    /**
     * Sends the calls to relay upstream: the body as received, or, when the gateway answers some calls of a batch
     * itself (refused, or from the cache), the other calls with their original bytes, and splices the answers.
     *
     * @param lookup what the cache holds for {@code relayed}, or {@code null} when no call of theirs is cacheable
     */
    private Mono<Answer> relay(GatewayRequest request, ChainCatalogue.Chain chain, ResolvedKey key,
            JsonRpcEnvelope envelope, List<JsonRpcRefusal> refusals, List<JsonRpcCall> relayed, List<UsageCall> calls,
            List<String> methods, ResponseCache.Lookup lookup) {
        boolean partial = lookup != null && lookup.hits() > 0;
        List<JsonRpcCall> sentCalls = partial ? lookup.misses(relayed) : relayed;
        byte[] body = refusals.isEmpty() && !partial ? request.body() : JsonRpcBatches.body(request.body(), sentCalls);
        List<String> sentMethods = partial ? methodsOf(sentCalls) : methods;
        byte[] errors = refusals.isEmpty() ? null : JsonRpcErrors.errors(refusals);
        Instant at = clock.instant();
        long started = System.nanoTime();
        // The answer, for metering; stays null when none came (failure, or the caller went away first).
        UpstreamResponse[] answered = {null};
        RequestTrace trace = request.trace();
        return upstream.relay(chain.id(), sentMethods, body, trace)
            .map(sent -> {
                trace.attempts(sent.attempts());
                Answer answer;
                if (!sent.answered()) {
                    answer = Answer.error(JsonRpcErrorCode.UPSTREAM_UNAVAILABLE, envelope.wholeRequestId(), null);
                }
                else if (lookup == null) {
                    answered[0] = sent.response();
                    answer = answerOf(sent.response(), errors);
                }
                else {
                    answer = answerWithCache(sent.response(), relayed, lookup, errors, partial);
                    // A batch answered in part from the cache is metered on the answer the caller gets.
                    answered[0] = partial ? new UpstreamResponse(answer.status(), answer.contentType(), answer.body())
                            : sent.response();
                }
                answer.header(HeaderNames.Ascii.UPSTREAM_ATTEMPTS, HeaderNames.Ascii.count(sent.attempts()));
                return lookup == null ? answer
                        : answer.header(HeaderNames.CACHE, partial ? HeaderNames.CACHE_PARTIAL : HeaderNames.CACHE_MISS);
            })
            .onErrorResume(failure -> Mono.just(
                    Answer.error(JsonRpcErrorCode.UPSTREAM_UNAVAILABLE, envelope.wholeRequestId(), null)))
            .doFinally(signal -> record(request, chain, key, calls, at, started, answered[0]));
    }

    /** A call the socket answers itself, metered as if relayed (the answer is its outcome). */
    private Mono<Answer> answerLocally(GatewayRequest request, ChainCatalogue.Chain chain, ResolvedKey key,
            JsonRpcCall call, List<UsageCall> calls, LocalCalls local) {
        Instant at = clock.instant();
        long started = System.nanoTime();
        return local.answer(request, chain, key, call)
            .map(body -> {
                record(request, chain, key, calls, at, started, new UpstreamResponse(200, Answer.JSON, body));
                return Answer.json(200, Answer.JSON, body);
            });
    }

    /** Stores what the upstream answered to the cacheable calls, and puts a batch's cached answers back in order. */
    private Answer answerWithCache(UpstreamResponse response, List<JsonRpcCall> relayed, ResponseCache.Lookup lookup,
            byte[] errors, boolean partial) {
        if (response.status() / 100 != 2) {
            return answerOf(response, errors);
        }
        cache.store(lookup, relayed, response.body());
        if (!partial) {
            return answerOf(response, errors);
        }
        byte[] merged = JsonRpcAnswers.batch(relayed, lookup.results(), response.body(), errors);
        return merged == null ? answerOf(response, errors) : Answer.json(200, Answer.JSON, merged);
    }

    private static List<String> methodsOf(List<JsonRpcCall> calls) {
        List<String> methods = new ArrayList<>(calls.size());
        for (JsonRpcCall call : calls) {
            methods.add(call.method());
        }
        return methods;
    }

    private static Answer answerOf(UpstreamResponse answer, byte[] errors) {
        if (errors != null && answer.status() / 100 == 2) {
            byte[] spliced = JsonRpcBatches.splice(answer.body(), errors);
            if (spliced != null) {
                return Answer.json(200, Answer.JSON, spliced);
            }
        }
        return Answer.json(answer.status(), answer.contentType(), answer.body());
    }

    private void record(GatewayRequest request, ChainCatalogue.Chain chain, ResolvedKey key, List<UsageCall> calls,
            Instant at, long started, UpstreamResponse answer) {
        usage.record(UsageRecord.relayed(at, request.requestId(), key.key().organizationId(), key.key().keyId(),
                key.plan().planId(), chain.id(), calls, answer == null ? 0 : answer.status(),
                answer == null ? null : answer.body(), Duration.ofNanos(System.nanoTime() - started)));
    }

    /** The relayed calls as metering counts them: method, id (to match a batch answer) and weight. */
    private List<UsageCall> usageCalls(ChainCatalogue.Chain chain, List<JsonRpcCall> relayed) {
        String family = chain.family().tableName();
        if (relayed.size() == 1) {
            // Most requests: an immutable list of one, which UsageRecord keeps as it is instead of copying.
            return List.of(usageCall(family, relayed.get(0)));
        }
        List<UsageCall> calls = new ArrayList<>(relayed.size());
        for (JsonRpcCall call : relayed) {
            calls.add(usageCall(family, call));
        }
        return calls;
    }

    private UsageCall usageCall(String family, JsonRpcCall call) {
        return new UsageCall(call.method(), call.notification() ? null : call.id().toString(),
                weights.cost(family, call.method()));
    }

    /** The batch's invalid calls, then the calls the policy refused. */
    private static List<JsonRpcRefusal> refusals(JsonRpcEnvelope envelope, List<JsonRpcRefusal> refusedByPolicy) {
        if (!envelope.batch()) {
            return refusedByPolicy;
        }
        List<JsonRpcRefusal> invalid = JsonRpcBatches.invalid(envelope);
        if (invalid.isEmpty()) {
            return refusedByPolicy;
        }
        invalid.addAll(refusedByPolicy);
        return invalid;
    }

    private static List<CharSequence> rateLimitHeaders(RateLimitDecision decision, List<String> cors) {
        RateLimitDecision.QuotaState quota = decision.quota();
        List<CharSequence> headers = new ArrayList<>((quota.present() ? 12 : 6) + cors.size());
        headers.add(HeaderNames.Ascii.RATE_LIMIT_LIMIT);
        headers.add(Long.toString(decision.limit()));
        headers.add(HeaderNames.Ascii.RATE_LIMIT_REMAINING);
        headers.add(Long.toString(decision.remaining()));
        headers.add(HeaderNames.Ascii.RATE_LIMIT_RESET);
        headers.add(Long.toString(decision.resetSeconds()));
        if (quota.present()) {
            headers.add(HeaderNames.Ascii.QUOTA_USED);
            headers.add(Long.toString(quota.used()));
            headers.add(HeaderNames.Ascii.QUOTA_LIMIT);
            headers.add(Long.toString(quota.limit()));
            headers.add(HeaderNames.Ascii.QUOTA_RESET);
            headers.add(Long.toString(quota.resetSeconds()));
        }
        headers.addAll(cors);
        return headers;
    }

    private static JsonRpcErrorCode refusalCode(RateLimitDecision.Limit limit) {
        return switch (limit) {
            case ORGANIZATION_MONTHLY -> JsonRpcErrorCode.MONTHLY_QUOTA_EXHAUSTED;
            case KEY_DAILY -> JsonRpcErrorCode.KEY_DAILY_CAP_EXHAUSTED;
            case KEY_MONTHLY -> JsonRpcErrorCode.KEY_MONTHLY_CAP_EXHAUSTED;
            default -> JsonRpcErrorCode.RATE_LIMITED;
        };
    }

    /** The error's {@code data}: the retry delay; for a quota also when it resets, what was used and the limit. */
    private static String refusalData(RateLimitDecision refused) {
        if (!refused.refusedBy().isQuota()) {
            return "{\"retryAfterSeconds\":" + refused.retryAfterSeconds() + "}";
        }
        RateLimitDecision.QuotaState quota = refused.quota();
        return "{\"retryAfterSeconds\":" + refused.retryAfterSeconds() + ",\"reset\":\""
                + Instant.ofEpochMilli(quota.resetAtMillis()) + "\",\"used\":" + quota.used() + ",\"limit\":"
                + quota.limit() + "}";
    }

    /** The key's own caps as the limiter takes them; no allocation for the usual key without any. */
    static KeyCaps capsOf(KeySnapshot key) {
        KeySnapshot.Policy policy = key.policy();
        if (!policy.capped()) {
            return KeyCaps.NONE;
        }
        return KeyCaps.of(key.keyId(), orZero(policy.computeUnitsPerSecond()), orZero(policy.dailyComputeUnits()),
                orZero(policy.monthlyComputeUnits()));
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }

    private static List<String> cors(String origin) {
        return List.of(HeaderNames.ALLOW_ORIGIN, origin, HeaderNames.EXPOSE_HEADERS, HeaderNames.EXPOSED_HEADERS,
                HeaderNames.VARY, HeaderNames.ORIGIN);
    }

    /** The JWT of a JWT-secured key: the bearer token, unless that header carried the key itself. */
    private static String jwtOf(GatewayRequest request) {
        String token = request.bearer();
        return token == null || ApiKeyFormat.isWellFormed(token) ? null : token;
    }

    private InetAddress client(GatewayRequest request) {
        return proxies.clientAddress(request.peer(), request.forwardedFor());
    }

    /** The plan's limits as the limiter takes them. */
    static RateLimitPolicy policyOf(PlanSnapshot plan) {
        return new RateLimitPolicy(plan.computeUnitsPerSecond(), plan.burstComputeUnits(), plan.computeUnitsPerMinute());
    }

    /** The resolver's answer: a usable key, a refusal, or no answer. */
    private record Lookup(ResolvedKey key, JsonRpcErrorCode refusal) {

        static final Lookup REFUSED = new Lookup(null, JsonRpcErrorCode.UNAUTHORIZED);

        static final Lookup UNAVAILABLE = new Lookup(null, JsonRpcErrorCode.KEY_SERVICE_UNAVAILABLE);

        static Lookup found(ResolvedKey key) {
            return new Lookup(key, null);
        }
    }

    /**
     * A WebSocket upgrade decided: the chain and key it is admitted with, or the answer that refuses it.
     *
     * @param refusal the HTTP answer refusing the upgrade, or {@code null} when admitted
     */
    record SocketAdmission(ChainCatalogue.Chain chain, ResolvedKey key, Answer refusal) {

        static SocketAdmission refused(Answer refusal) {
            return new SocketAdmission(null, null, refusal);
        }
    }

    /** Calls a WebSocket answers itself (subscriptions), once they passed the checks and the limiter like any call. */
    interface LocalCalls {

        boolean serves(String method);

        /** The JSON-RPC answer to {@code call} (a result or an error, with the call's id). */
        Mono<byte[]> answer(GatewayRequest message, ChainCatalogue.Chain chain, ResolvedKey key, JsonRpcCall call);
    }
}
