package dev.relaygate.gateway.routing;

import java.time.Clock;

import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.json.JsonMapper;

import dev.relaygate.gateway.auth.ApiKeyFilter;
import dev.relaygate.gateway.auth.CorsPreflightFilter;
import dev.relaygate.gateway.auth.KeyJwtCheck;
import dev.relaygate.gateway.auth.KeyJwtVerifier;
import dev.relaygate.gateway.auth.KeyPolicy;
import dev.relaygate.gateway.auth.KeyPolicyFilter;
import dev.relaygate.gateway.auth.MethodClasses;
import dev.relaygate.gateway.auth.PolicyProperties;
import dev.relaygate.gateway.auth.TrustedProxies;
import dev.relaygate.gateway.auth.InvalidationListener;
import dev.relaygate.gateway.auth.KeyResolver;
import dev.relaygate.gateway.auth.KeySnapshot;
import dev.relaygate.gateway.auth.PlanSnapshot;
import dev.relaygate.gateway.auth.SnapshotCache;
import dev.relaygate.gateway.auth.SnapshotSource;
import dev.relaygate.gateway.config.ControlPlaneProperties;
import dev.relaygate.gateway.config.KeyCacheProperties;
import dev.relaygate.gateway.config.RedisConnections;
import dev.relaygate.gateway.config.UpstreamProperties;
import dev.relaygate.gateway.jsonrpc.JsonRpcBodyFilter;
import dev.relaygate.gateway.jsonrpc.JsonRpcProperties;
import dev.relaygate.gateway.ratelimit.RateLimitFilter;
import dev.relaygate.gateway.upstream.RelayFilter;
import dev.relaygate.gateway.upstream.UpstreamClient;
import dev.relaygate.gateway.usage.UsageFilter;

/**
 * The Relaygate route and the hot path's steps, in order. Spring Cloud Gateway matches the route; the steps
 * are route filters, so other routes (for example a bare benchmark route) run none of them.
 */
@Configuration(proxyBeanMethods = false)
class RelaygateRoutes {

    static final String ROUTE_ID = "relaygate-jsonrpc";

    /** Step order. The relay ends the chain before SCG's own routing filters, which run at 10000 and later. */
    static final int BODY = 100;

    static final int CHAIN = 200;

    static final int KEY = 300;

    static final int POLICY = 400;

    static final int RATE_LIMIT = 500;

    static final int USAGE = 8000;

    static final int RELAY = 9000;

    @Bean
    RouteLocator relaygateRouteLocator(RouteLocatorBuilder routes, JsonRpcBodyFilter body, ChainFilter chain, ApiKeyFilter key, KeyPolicyFilter policy, RateLimitFilter rateLimit, UsageFilter usage, RelayFilter relay) {
        return routes.routes()
            .route(ROUTE_ID, route -> route.path("/v1/{chain}/{apiKey}", "/v1/{chain}")
                .filters(filters -> filters
                    .filter(body, BODY)
                    .filter(chain, CHAIN)
                    .filter(key, KEY)
                    .filter(policy, POLICY)
                    .filter(rateLimit, RATE_LIMIT)
                    .filter(usage, USAGE)
                    .filter(relay, RELAY))
                .uri("no://op"))
            .build();
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
    JsonRpcBodyFilter jsonRpcBodyFilter(JsonRpcProperties properties) {
        return new JsonRpcBodyFilter(properties);
    }

    @Bean
    ChainFilter chainFilter(ChainCatalogue catalogue) {
        return new ChainFilter(catalogue);
    }

    @Bean
    HttpClient controlPlaneHttpClient(ControlPlaneProperties properties) {
        return HttpClient.create().responseTimeout(properties.timeout());
    }

    @Bean
    SnapshotCache<KeySnapshot> keySnapshots(RedisConnections redis, HttpClient controlPlaneHttpClient,
            ControlPlaneProperties controlPlane, KeyCacheProperties cache, JsonMapper json) {
        return new SnapshotCache<>(new SnapshotSource<>(redis, "rg:key:", controlPlaneHttpClient, controlPlane,
                "/internal/v1/key-snapshots/", json, KeySnapshot.class), cache, KeySnapshot::version);
    }

    @Bean
    SnapshotCache<PlanSnapshot> planSnapshots(RedisConnections redis, HttpClient controlPlaneHttpClient,
            ControlPlaneProperties controlPlane, KeyCacheProperties cache, JsonMapper json) {
        return new SnapshotCache<>(new SnapshotSource<>(redis, "rg:plan:", controlPlaneHttpClient, controlPlane,
                "/internal/v1/plan-snapshots/", json, PlanSnapshot.class), cache, PlanSnapshot::version);
    }

    @Bean
    InvalidationListener invalidationListener(RedisConnections redis, SnapshotCache<KeySnapshot> keySnapshots,
            SnapshotCache<PlanSnapshot> planSnapshots, JsonMapper json) {
        return new InvalidationListener(redis, keySnapshots, planSnapshots, json);
    }

    @Bean
    KeyResolver keyResolver(SnapshotCache<KeySnapshot> keySnapshots, SnapshotCache<PlanSnapshot> planSnapshots,
            Clock clock) {
        return new KeyResolver(keySnapshots, planSnapshots, clock);
    }

    @Bean
    CorsPreflightFilter corsPreflightFilter(KeyResolver resolver) {
        return new CorsPreflightFilter(resolver);
    }

    @Bean
    KeyPolicyFilter keyPolicyFilter(PolicyProperties properties, Clock clock) {
        return new KeyPolicyFilter(new KeyPolicy(new MethodClasses(properties.methodClasses())),
                new TrustedProxies(properties.trustedProxies()),
                new KeyJwtCheck(new KeyJwtVerifier(properties.jwtAudience(), properties.jwtClockSkew(), clock)));
    }

    @Bean
    ApiKeyFilter apiKeyFilter(KeyResolver resolver) {
        return new ApiKeyFilter(resolver);
    }

    @Bean(destroyMethod = "close")
    UpstreamClient upstreamClient(UpstreamProperties properties) {
        return new UpstreamClient(properties);
    }

    @Bean
    RelayFilter relayFilter(UpstreamClient upstream) {
        return new RelayFilter(upstream);
    }
}
