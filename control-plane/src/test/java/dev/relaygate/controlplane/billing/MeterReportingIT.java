package dev.relaygate.controlplane.billing;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import com.github.tomakehurst.wiremock.client.WireMock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.reactive.TransactionalOperator;

import dev.relaygate.controlplane.testsupport.StripeIntegrationTest;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * Compute units reach the Stripe Billing Meter once per slice, whatever happens: repeated rounds, late usage, a crash
 * between Stripe's answer and our record of it, two control planes reporting at once, Stripe being down. The stub
 * counts what Stripe received per identifier; the real stripe-java client sends it.
 */
class MeterReportingIT extends StripeIntegrationTest {

    private static final String METER_EVENTS = "/v1/billing/meter_events";

    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyyMMdd'T'HH'Z'")
        .withZone(ZoneOffset.UTC);

    @Autowired
    private MeterReporter reporter;

    @Autowired
    private MeterLedger ledger;

    @Autowired
    private StripeApi stripeApi;

    @Autowired
    private BillingProperties properties;

    @Autowired
    private TransactionalOperator tx;

    @Autowired
    private MeterRegistry meters;

    /** An organization with a Stripe customer. */
    private record Customer(UUID org, String id) {
    }

    /** One meter event as the stub received it. */
    private record Received(String identifier, long value, long timestamp, String eventName, String idempotencyKey) {
    }

    private Customer customer() {
        UUID org = createOrganization(uniqueSubject("owner"));
        return new Customer(org, linkCustomer(org));
    }

    /** Appends usage to rg:usage as a gateway would and waits until the control plane has counted it. */
    private void usage(Customer customer, Instant minute, long computeUnits) {
        UsageFeed.record(redis(), customer.org(), minute, computeUnits);
    }

    private static void stubMeterEvents(int delayMillis) {
        stripe().stubFor(post(urlEqualTo(METER_EVENTS)).willReturn(json("""
                {"object": "billing.meter_event", "created": 1767225600, "event_name": "relaygate_compute_units",
                 "identifier": "{{formData request.body 'form' urlDecode=true}}{{form.identifier}}",
                 "livemode": false, "payload": {}, "timestamp": 1767225600}""")
            .withFixedDelay(delayMillis)
            .withTransformers("response-template")));
    }

    private static List<Received> received(Customer customer) {
        return stripe().findAll(postRequestedFor(urlEqualTo(METER_EVENTS))
                .withFormParam("payload[stripe_customer_id]", equalTo(customer.id())))
            .stream()
            .map(r -> new Received(r.formParameter("identifier").firstValue(),
                    Long.parseLong(r.formParameter("payload[value]").firstValue()),
                    Long.parseLong(r.formParameter("timestamp").firstValue()),
                    r.formParameter("event_name").firstValue(), r.getHeader("Idempotency-Key")))
            .toList();
    }

    /** What Stripe bills: each identifier counted once, with the value it first received. */
    private static Map<String, Long> billed(Customer customer) {
        return received(customer).stream()
            .collect(Collectors.toMap(Received::identifier, Received::value, (first, again) -> first));
    }

    private static String identifier(Customer customer, Instant hour) {
        return customer.org() + "-" + HOUR.format(hour);
    }

    private MeterReporter anotherControlPlane() {
        return new MeterReporter(ledger, stripeApi, properties, clock, tx, new SimpleMeterRegistry());
    }

    private long sentSlices(Customer customer) {
        return db.sql("select count(*) as n from meter_reports where organization_id = :org and status = 'sent'")
            .bind("org", customer.org())
            .map(row -> ((Number) row.get("n")).longValue())
            .one().block();
    }

    private Instant hoursAgo(int hours) {
        return clock.instant().truncatedTo(ChronoUnit.HOURS).minus(hours, ChronoUnit.HOURS);
    }

    @Test
    void reportsEachCompletedHourOnceUnderADeterministicIdentifier() {
        Customer customer = customer();
        usage(customer, hoursAgo(5).plusSeconds(300), 40);
        usage(customer, hoursAgo(5).plusSeconds(1800), 2);
        usage(customer, hoursAgo(4).plusSeconds(60), 7);
        usage(customer, hoursAgo(2).plusSeconds(3540), 1000);
        usage(customer, clock.instant(), 5);
        stubMeterEvents(0);

        reporter.report().block();
        reporter.report().block();

        List<Received> received = received(customer);
        assertThat(received).extracting(Received::identifier, Received::value, Received::timestamp)
            .containsExactlyInAnyOrder(
                    tuple(identifier(customer, hoursAgo(5)), 42L,
                            hoursAgo(5).getEpochSecond()),
                    tuple(identifier(customer, hoursAgo(4)), 7L,
                            hoursAgo(4).getEpochSecond()),
                    tuple(identifier(customer, hoursAgo(2)), 1000L,
                            hoursAgo(2).getEpochSecond()));
        assertThat(received).allSatisfy(r -> {
            assertThat(r.eventName()).isEqualTo("relaygate_compute_units");
            assertThat(r.idempotencyKey()).as("a retry gets Stripe's first answer").isEqualTo(r.identifier());
        });
    }

    @Test
    void lateUsageForAReportedHourIsReportedAsTheDifferenceUnderTheNextIdentifier() {
        Customer customer = customer();
        Instant hour = hoursAgo(3);
        usage(customer, hour.plusSeconds(600), 100);
        stubMeterEvents(0);
        reporter.report().block();

        usage(customer, hour.plusSeconds(1200), 30);
        reporter.report().block();
        usage(customer, hour.plusSeconds(1300), 5);
        reporter.report().block();
        reporter.report().block();

        assertThat(billed(customer)).containsExactlyInAnyOrderEntriesOf(Map.of(
                identifier(customer, hour), 100L,
                identifier(customer, hour) + "-1", 30L,
                identifier(customer, hour) + "-2", 5L));
        assertThat(received(customer)).hasSize(3);
    }

    @Test
    void aCrashBetweenStripesAnswerAndOurRecordResendsTheSameIdentifierAfterRestart() {
        Customer customer = customer();
        usage(customer, hoursAgo(6).plusSeconds(60), 11);
        usage(customer, hoursAgo(5).plusSeconds(60), 22);
        usage(customer, hoursAgo(4).plusSeconds(60), 33);
        // Stripe takes its time: the control plane dies while the first slice is in flight.
        stubMeterEvents(1500);
        Disposable round = reporter.report().subscribe(count -> { }, failure -> { });
        await().atMost(Duration.ofSeconds(30)).until(() -> !received(customer).isEmpty());
        round.dispose();
        assertThat(sentSlices(customer)).as("nothing recorded as sent").isZero();

        stubMeterEvents(0);
        MeterReporter restarted = anotherControlPlane();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            restarted.report().onErrorReturn(-1L).block();
            assertThat(sentSlices(customer)).isEqualTo(3);
        });

        assertThat(billed(customer)).containsExactlyInAnyOrderEntriesOf(Map.of(
                identifier(customer, hoursAgo(6)), 11L,
                identifier(customer, hoursAgo(5)), 22L,
                identifier(customer, hoursAgo(4)), 33L));
        Map<String, List<Long>> valuesByIdentifier = received(customer).stream()
            .collect(Collectors.groupingBy(Received::identifier,
                    Collectors.mapping(Received::value, Collectors.toList())));
        assertThat(valuesByIdentifier.get(identifier(customer, hoursAgo(6))))
            .as("the slice in flight at the crash is resent under its identifier, with its value")
            .containsExactly(11L, 11L);
        assertThat(valuesByIdentifier.get(identifier(customer, hoursAgo(5)))).containsExactly(22L);
        assertThat(valuesByIdentifier.get(identifier(customer, hoursAgo(4)))).containsExactly(33L);
    }

    @Test
    void twoControlPlanesReportingAtOnceSendEachSliceOnce() {
        List<Customer> customers = List.of(customer(), customer(), customer());
        for (Customer customer : customers) {
            for (int h = 7; h >= 4; h--) {
                usage(customer, hoursAgo(h).plusSeconds(120), h * 10L);
            }
        }
        stubMeterEvents(20);
        MeterReporter other = anotherControlPlane();

        Flux.merge(reporter.report().subscribeOn(Schedulers.boundedElastic()),
                other.report().subscribeOn(Schedulers.boundedElastic()),
                reporter.report().subscribeOn(Schedulers.boundedElastic()),
                other.report().subscribeOn(Schedulers.boundedElastic()))
            .blockLast(Duration.ofSeconds(60));
        Flux.merge(reporter.report(), other.report()).blockLast(Duration.ofSeconds(60));

        for (Customer customer : customers) {
            List<Received> received = received(customer);
            assertThat(received).extracting(Received::identifier).doesNotHaveDuplicates().hasSize(4);
            assertThat(received).extracting(Received::value).containsExactlyInAnyOrder(70L, 60L, 50L, 40L);
            assertThat(sentSlices(customer)).isEqualTo(4);
        }
    }

    @Test
    void lagGrowsWhileStripeIsDownAndFallsOnceTheBacklogIsSent() {
        Customer customer = customer();
        Instant hour = hoursAgo(10);
        usage(customer, hour.plusSeconds(60), 9);
        stripe().stubFor(post(urlEqualTo(METER_EVENTS)).willReturn(WireMock.aResponse().withStatus(500)
            .withHeader("Content-Type", "application/json")
            .withBody("{\"error\": {\"type\": \"api_error\", \"message\": \"Something went wrong\"}}")));

        reporter.report().onErrorReturn(-1L).block();

        assertThat(lag()).as("the unsent hour holds the lag").isGreaterThanOrEqualTo(Duration.ofHours(10).toSeconds());
        assertThat(db.sql("select status, last_error from meter_reports where organization_id = :org")
            .bind("org", customer.org())
            .map(row -> row.get("status", String.class) + " " + row.get("last_error", String.class))
            .all().collectList().block())
            .as("at most the first pending slice was tried; it stays pending")
            .allMatch(s -> s.equals("pending null") || s.equals("pending stripe: status 500"));
        clock.advance(Duration.ofMinutes(30));
        assertThat(lag()).isGreaterThanOrEqualTo(Duration.ofMinutes(10 * 60 + 30).toSeconds());

        stubMeterEvents(0);
        reporter.report().block();

        assertThat(billed(customer)).containsEntry(identifier(customer, hour), 9L);
        assertThat(lag()).as("only the settle delay and the hour in progress remain")
            .isLessThan(Duration.ofMinutes(15 + 60 + 1).toSeconds());
    }

    private double lag() {
        return meters.get(MeterReporter.LAG_METRIC).gauge().value();
    }
}
