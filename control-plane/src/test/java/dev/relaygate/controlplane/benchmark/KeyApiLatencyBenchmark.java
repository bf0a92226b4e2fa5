package dev.relaygate.controlplane.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.client.WebClient;

import dev.relaygate.controlplane.testsupport.IntegrationTest;
import dev.relaygate.controlplane.testsupport.Tokens;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Latency of key creation and of a list call under 50 concurrent clients, printed (not asserted: timings on a
 * shared machine are not a specification). Not part of the normal suite (the name matches neither *Test nor
 * *IT); run it with
 * {@code ./mvnw -pl control-plane verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=KeyApiLatencyBenchmark}.
 */
class KeyApiLatencyBenchmark extends IntegrationTest {

    private static final int CLIENTS = 50;

    private static final int REQUESTS_PER_CLIENT = 20;

    private static final int WARM_UP_ROUNDS = 2;

    @Test
    void measuresKeyCreationAndListLatencyUnderFiftyConcurrentClients() {
        WebClient client = WebClient.builder().baseUrl("http://127.0.0.1:" + port).build();
        List<Tenant> tenants = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            String owner = "bench-" + UUID.randomUUID();
            tenants.add(new Tenant(Tokens.user(owner), createOrganization(owner)));
        }
        // Warm-up: on a freshly started JVM the JIT compiler competes with the requests for the two cores.
        for (int round = 0; round < WARM_UP_ROUNDS; round++) {
            run(client, tenants, REQUESTS_PER_CLIENT, this::create);
            run(client, tenants, REQUESTS_PER_CLIENT, this::list);
        }

        Result creates = run(client, tenants, REQUESTS_PER_CLIENT, this::create);
        Result lists = run(client, tenants, REQUESTS_PER_CLIENT, this::list);

        System.out.println("BENCHMARK key creation, " + CLIENTS + " concurrent clients: " + creates);
        System.out.println("BENCHMARK key list (limit 50), " + CLIENTS + " concurrent clients: " + lists);
        assertThat(creates.samples()).isEqualTo(CLIENTS * REQUESTS_PER_CLIENT);
        assertThat(lists.samples()).isEqualTo(CLIENTS * REQUESTS_PER_CLIENT);
        assertThat(creates.failures() + lists.failures()).isZero();
    }

    private Mono<Integer> create(WebClient client, Tenant tenant) {
        return client.post().uri("/v1/organizations/{org}/keys", tenant.organization())
            .header(HttpHeaders.AUTHORIZATION, bearer(tenant.token()))
            .bodyValue(Map.of("name", "bench"))
            .exchangeToMono(response -> response.releaseBody().thenReturn(response.statusCode().value() == 201 ? 0 : 1));
    }

    private Mono<Integer> list(WebClient client, Tenant tenant) {
        return client.get().uri("/v1/organizations/{org}/keys?limit=50", tenant.organization())
            .header(HttpHeaders.AUTHORIZATION, bearer(tenant.token()))
            .exchangeToMono(response -> response.releaseBody().thenReturn(response.statusCode().value() == 200 ? 0 : 1));
    }

    private interface Call {
        Mono<Integer> apply(WebClient client, Tenant tenant);
    }

    /** Every tenant's client sends {@code perClient} requests one after another, all clients at once. */
    private static Result run(WebClient client, List<Tenant> tenants, int perClient, Call call) {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        long started = System.nanoTime();
        Integer failures = Flux.fromIterable(tenants)
            .flatMap(tenant -> Flux.range(0, perClient).concatMap(i -> {
                long sent = System.nanoTime();
                return call.apply(client, tenant).doOnNext(f -> latencies.add(System.nanoTime() - sent));
            }), tenants.size())
            .reduce(0, Integer::sum)
            .block(Duration.ofMinutes(5));
        long elapsed = System.nanoTime() - started;
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return new Result(sorted.size(), failures, percentile(sorted, 50), percentile(sorted, 90),
                percentile(sorted, 99), sorted.get(sorted.size() - 1) / 1_000_000.0,
                sorted.size() / (elapsed / 1_000_000_000.0));
    }

    private static double percentile(List<Long> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, index)) / 1_000_000.0;
    }

    private record Tenant(String token, UUID organization) {
    }

    private record Result(int samples, int failures, double p50, double p90, double p99, double max,
            double perSecond) {

        @Override
        public String toString() {
            return String.format("%d requests, p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms, %.0f req/s",
                    samples, p50, p90, p99, max, perSecond);
        }
    }
}
