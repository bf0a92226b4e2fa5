package dev.relaygate.gateway.ratelimit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import tools.jackson.databind.node.ObjectNode;

import dev.relaygate.gateway.testsupport.GatewayIntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A plan change is proven by what the gateway then admits, not by the {@code RateLimit-Limit} header: after each
 * change, callers send as fast as they can for 3 s and the compute units admitted are held against what each plan
 * allows in that time (burst + rate × elapsed). A header-only test once let a plan change go unenforced: the
 * header showed the paid plan while the bucket kept the free plan's capacity.
 * <p>
 * The limiter's Redis timeout is generous here: on a loaded machine a 50 ms timeout switches to local buckets now
 * and then (degraded mode, which starts them full), and this test measures plan changes, not degraded mode.
 */
@TestPropertySource(properties = "relaygate.ratelimit.command-timeout=2s")
class PlanChangeAdmissionIT extends GatewayIntegrationTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}";

    /** Units of one call (eth_blockNumber). */
    private static final long COST = 10;

    private static final Duration WINDOW = Duration.ofSeconds(3);

    @Value("${local.server.port}")
    int port;

    @Test
    void anEditedPlanIsEnforcedAtOnce() {
        ObjectNode plan = plan(100, 20);
        String key = keyOn(plan).secret();
        assertWithin(admittedFor(key), plan);

        plan.put("burstComputeUnits", 1_000).put("computeUnitsPerSecond", 300).put("version", plan.get("version").asLong() + 1);
        publishPlan(plan);
        SNAPSHOTS.announcePlan(plan);
        awaitLimit(key, 1_000);

        Admitted afterEdit = admittedFor(key);
        assertWithin(afterEdit, plan);
        assertThat(afterEdit.units()).as("more than the old plan could ever admit in the window").isGreaterThan(300);
    }

    @Test
    void anOrganizationMovedToAnotherPlanAtTheSameVersionGetsItsLimitsAndGetsTheOldOnesBackWhenMovedBack() {
        ObjectNode free = plan(100, 20);
        ObjectNode paid = plan(1_000, 300);
        PublishedKey published = keyOn(free);
        String key = published.secret();
        ObjectNode snapshot = published.snapshot();
        assertWithin(admittedFor(key), free);

        moveTo(snapshot, paid);
        awaitLimit(key, 1_000);
        Admitted onPaid = admittedFor(key);
        assertWithin(onPaid, paid);
        assertThat(onPaid.units()).as("more than the free plan could ever admit in the window").isGreaterThan(300);

        moveTo(snapshot, free);
        awaitLimit(key, 100);
        assertWithin(admittedFor(key), free);
    }

    /** A plan of its own at version 1 (both plans of a move share the version, as real plans may). */
    private static ObjectNode plan(long burst, long perSecond) {
        return planWith(perSecond, burst, 1_000_000);
    }

    /** What the control plane does when an organization changes plans: rewrites its key snapshots, announces them. */
    private static void moveTo(ObjectNode keySnapshot, ObjectNode plan) {
        keySnapshot.put("planId", plan.get("planId").asString()).put("version", keySnapshot.get("version").asLong() + 1);
        publishKey(keySnapshot);
        SNAPSHOTS.announceKey(keySnapshot);
    }

    /** Waits until the change has reached the gateway (the header is only the signal; admission is the proof). */
    private void awaitLimit(String key, long burst) {
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).untilAsserted(() ->
            client.post().uri("/v1/anvil/" + key).contentType(MediaType.APPLICATION_JSON).bodyValue(CALL).exchange()
                .expectHeader().valueEquals("RateLimit-Limit", Long.toString(burst)));
    }

    /** Sends calls as fast as 8 concurrent callers can for {@link #WINDOW}; counts what was admitted. */
    private Admitted admittedFor(String key) {
        WebClient web = WebClient.create("http://127.0.0.1:" + port);
        AtomicInteger admitted = new AtomicInteger();
        long started = System.nanoTime();
        Flux.range(0, Integer.MAX_VALUE)
            .flatMap(i -> web.post().uri("/v1/anvil/" + key).contentType(MediaType.APPLICATION_JSON).bodyValue(CALL)
                .exchangeToMono(answer -> answer.releaseBody().thenReturn(answer.statusCode().value())), 8)
            .take(WINDOW)
            .doOnNext(status -> {
                if (status == 200) {
                    admitted.incrementAndGet();
                }
            })
            .blockLast(WINDOW.plusSeconds(10));
        return new Admitted(admitted.get() * COST, (System.nanoTime() - started) / 1e9);
    }

    /** At most what the plan allows over the time measured: its burst, its rate, and one in-flight call. */
    private static void assertWithin(Admitted admitted, ObjectNode plan) {
        double allowed = plan.get("burstComputeUnits").asLong()
            + plan.get("computeUnitsPerSecond").asLong() * admitted.seconds() + COST;
        assertThat((double) admitted.units()).as("units admitted in %.1f s", admitted.seconds()).isLessThanOrEqualTo(allowed);
        assertThat(admitted.units()).as("the plan admits its burst").isGreaterThanOrEqualTo(Math.min(plan.get("burstComputeUnits").asLong(), 100));
    }

    private record Admitted(long units, double seconds) {
    }
}
