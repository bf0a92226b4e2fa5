package dev.relaygate.gateway.hotpath;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;
import reactor.netty.http.HttpResources;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.LoopResources;
import tools.jackson.databind.json.JsonMapper;

import dev.relaygate.gateway.auth.InvalidationListener;
import dev.relaygate.gateway.auth.KeyHash;
import dev.relaygate.gateway.auth.KeyJwtCheck;
import dev.relaygate.gateway.auth.KeyJwtVerifier;
import dev.relaygate.gateway.auth.KeyPolicy;
import dev.relaygate.gateway.auth.KeyResolver;
import dev.relaygate.gateway.auth.KeySnapshot;
import dev.relaygate.gateway.auth.MethodClasses;
import dev.relaygate.gateway.auth.PlanSnapshot;
import dev.relaygate.gateway.auth.PolicyCheck;
import dev.relaygate.gateway.auth.PolicyProperties;
import dev.relaygate.gateway.auth.SnapshotCache;
import dev.relaygate.gateway.auth.SnapshotSource;
import dev.relaygate.gateway.auth.TrustedProxies;
import dev.relaygate.gateway.config.ControlPlaneProperties;
import dev.relaygate.gateway.config.KeyCacheProperties;
import dev.relaygate.gateway.config.RedisConnections;
import dev.relaygate.gateway.config.UpstreamProperties;
import dev.relaygate.gateway.jsonrpc.JsonRpcProperties;
import dev.relaygate.gateway.jsonrpc.JsonRpcReader;
import dev.relaygate.gateway.observability.RequestTracing;
import dev.relaygate.gateway.ratelimit.MethodWeights;
import dev.relaygate.gateway.ratelimit.RateLimiter;
import dev.relaygate.gateway.routing.ChainCatalogue;
import dev.relaygate.gateway.routing.ChainProperties;
import dev.relaygate.gateway.upstream.FinalizedHeads;
import dev.relaygate.gateway.upstream.ResponseCache;
import dev.relaygate.gateway.upstream.ResponseCacheProperties;
import dev.relaygate.gateway.upstream.SubscriptionHub;
import dev.relaygate.gateway.upstream.UpstreamClient;
import dev.relaygate.gateway.upstream.UpstreamRouter;
import dev.relaygate.gateway.usage.UsageRecorder;

/**
 * Assembles the hot path: its deciders, the {@link HotPath} that runs them in order, and the Reactor Netty route
 * that serves it. The one place that knows every step; no step knows this package.
 */
@Configuration(proxyBeanMethods = false)
class HotPathConfiguration {

    @Bean
    JsonRpcRoute jsonRpcRoute(HotPath hotPath, JsonRpcProperties jsonRpc, RequestTracing tracing,
            WebSocketProperties webSocket, SocketSessions socketSessions) {
        return new JsonRpcRoute(hotPath, jsonRpc.maxBodyBytes(), tracing, webSocket.enabled() ? socketSessions : null);
    }

    @Bean(destroyMethod = "close")
    SubscriptionHub subscriptionHub(UpstreamRouter upstreamRouter, UpstreamProperties upstream, MeterRegistry meters) {
        return new SubscriptionHub(upstreamRouter, upstream.maxResponseBytes(), meters);
    }

    @Bean(destroyMethod = "close")
    SocketSessions socketSessions(HotPath hotPath, SubscriptionHub subscriptionHub, WebSocketProperties webSocket,
            InvalidationListener invalidations, MeterRegistry meters) {
        SocketSessions sessions = new SocketSessions(hotPath, subscriptionHub, webSocket, meters);
        invalidations.watch(sessions);
        return sessions;
    }

    @Bean
    HotPath hotPath(JsonRpcProperties jsonRpc, ChainCatalogue catalogue, KeyResolver keys, PolicyProperties policy,
            MethodWeights weights, RateLimiter limiter, UpstreamRouter upstream, ResponseCache cache, UsageRecorder usage,
            Clock clock) {
        PolicyCheck check = new PolicyCheck(new KeyPolicy(new MethodClasses(policy.methodClasses())),
                new KeyJwtCheck(new KeyJwtVerifier(policy.jwtAudience(), policy.jwtClockSkew(), clock)));
        return new HotPath(new JsonRpcReader(jsonRpc.maxDepth(), jsonRpc.maxBatchSize()), catalogue, keys, check,
                new TrustedProxies(policy.trustedProxies()), weights, limiter, upstream, cache, usage, clock);
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    ChainCatalogue chainCatalogue(ChainProperties properties) {
        return new ChainCatalogue(properties);
    }

    @Bean
    HttpClient controlPlaneHttpClient(ControlPlaneProperties properties) {
        return HttpClient.create().responseTimeout(properties.timeout());
    }

    @Bean
    SnapshotCache<KeyHash, KeySnapshot> keySnapshots(RedisConnections redis, HttpClient controlPlaneHttpClient,
            ControlPlaneProperties controlPlane, KeyCacheProperties cache, JsonMapper json, MeterRegistry meters) {
        SnapshotCache<KeyHash, KeySnapshot> keys = new SnapshotCache<>(new SnapshotSource<>(redis, "rg:key:",
                controlPlaneHttpClient, controlPlane, "/internal/v1/key-snapshots/", json, KeySnapshot.class), cache,
                KeySnapshot::version, (hash, snapshot) -> snapshot.withHash(hash));
        keys.bindTo(meters, "relaygate.keys");
        return keys;
    }

    @Bean
    SnapshotCache<String, PlanSnapshot> planSnapshots(RedisConnections redis, HttpClient controlPlaneHttpClient,
            ControlPlaneProperties controlPlane, KeyCacheProperties cache, JsonMapper json, MeterRegistry meters) {
        SnapshotCache<String, PlanSnapshot> plans = new SnapshotCache<>(new SnapshotSource<>(redis, "rg:plan:",
                controlPlaneHttpClient, controlPlane, "/internal/v1/plan-snapshots/", json, PlanSnapshot.class), cache,
                PlanSnapshot::version);
        plans.bindTo(meters, "relaygate.plans");
        return plans;
    }

    @Bean
    InvalidationListener invalidationListener(RedisConnections redis,
            SnapshotCache<KeyHash, KeySnapshot> keySnapshots, SnapshotCache<String, PlanSnapshot> planSnapshots,
            JsonMapper json) {
        return new InvalidationListener(redis, keySnapshots, planSnapshots, json);
    }

    @Bean
    KeyResolver keyResolver(SnapshotCache<KeyHash, KeySnapshot> keySnapshots,
            SnapshotCache<String, PlanSnapshot> planSnapshots, Clock clock) {
        return new KeyResolver(keySnapshots, planSnapshots, clock);
    }

    @Bean(destroyMethod = "close")
    UpstreamClient upstreamClient(UpstreamProperties properties, ObjectProvider<ReactorResourceFactory> resources) {
        // The server's event loops: those of the resource factory the server runs on, Reactor Netty's global ones
        // by default.
        ReactorResourceFactory factory = resources.getIfAvailable();
        LoopResources loops = factory != null ? factory.getLoopResources() : HttpResources.get();
        return new UpstreamClient(properties, loops.onServer(LoopResources.DEFAULT_NATIVE));
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    UpstreamRouter upstreamRouter(ChainProperties chains, UpstreamClient upstreamClient, MethodWeights weights,
            MeterRegistry meters) {
        return new UpstreamRouter(chains, upstreamClient, weights::cost, meters);
    }

    /** The finalized head of each EVM chain, asked of its upstreams only while the response cache is enabled. */
    @Bean(destroyMethod = "close")
    FinalizedHeads finalizedHeads(ChainProperties chains, UpstreamRouter upstreamRouter, UpstreamClient upstreamClient,
            MethodWeights weights, ResponseCacheProperties cache, MeterRegistry meters) {
        FinalizedHeads heads = new FinalizedHeads(chains, upstreamRouter, upstreamClient, weights::cost,
                cache.confirmations(), meters);
        if (cache.enabled()) {
            heads.start();
        }
        return heads;
    }

    @Bean(destroyMethod = "close")
    ResponseCache responseCache(ResponseCacheProperties properties, ChainProperties chains, FinalizedHeads finalizedHeads,
            RedisConnections redis, MeterRegistry meters) {
        return new ResponseCache(properties, chains, finalizedHeads::of, redis.deployment(), meters);
    }
}
