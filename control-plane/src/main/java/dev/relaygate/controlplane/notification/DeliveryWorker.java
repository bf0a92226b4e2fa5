package dev.relaygate.controlplane.notification;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * Sends due webhook deliveries: every {@code poll-interval} it claims up to {@code batch-size} of them
 * ({@link Deliveries#claim}) and POSTs each payload, signed ({@link WebhookSignature}), at most {@code concurrency}
 * at once, with a {@code timeout} on the whole call. A 2xx answer delivers it; anything else (another status, a
 * refused connection, a timeout, a URL no longer allowed) is retried after {@link Backoff} until {@code max-attempts},
 * then the delivery is {@code failed}. WebClient on Reactor Netty: no thread ever waits for a receiver. Redirects are
 * not followed (a redirect could lead past the address rule).
 */
@Component
public final class DeliveryWorker implements DisposableBean {

    /** Delivery attempts, by result: {@code delivered}, {@code retried}, {@code failed}. */
    public static final String ATTEMPTS_METRIC = "relaygate.notifications.attempts";

    private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);

    /** Headers of a delivery besides the signature. */
    static final String ID_HEADER = "Relaygate-Delivery";

    static final String ATTEMPT_HEADER = "Relaygate-Attempt";

    private final Deliveries deliveries;

    private final WebhookAddresses addresses;

    private final NotificationProperties properties;

    private final Clock clock;

    private final Backoff backoff;

    private final WebClient http;

    private final Counter delivered;

    private final Counter retried;

    private final Counter failed;

    private volatile Disposable schedule;

    public DeliveryWorker(Deliveries deliveries, WebhookAddresses addresses, NotificationProperties properties,
            Clock clock, MeterRegistry meters) {
        this.deliveries = deliveries;
        this.addresses = addresses;
        this.properties = properties;
        this.clock = clock;
        this.backoff = new Backoff(properties.initialBackoff(), properties.maxBackoff(),
                () -> ThreadLocalRandom.current().nextDouble());
        HttpClient client = HttpClient.create()
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.connectTimeout().toMillis())
            .responseTimeout(properties.timeout())
            .followRedirect(false);
        this.http = WebClient.builder().clientConnector(new ReactorClientHttpConnector(client)).build();
        this.delivered = meters.counter(ATTEMPTS_METRIC, "result", "delivered");
        this.retried = meters.counter(ATTEMPTS_METRIC, "result", "retried");
        this.failed = meters.counter(ATTEMPTS_METRIC, "result", "failed");
    }

    @EventListener(ApplicationReadyEvent.class)
    public void start() {
        if (!properties.enabled()) {
            return;
        }
        schedule = Flux.interval(properties.pollInterval())
            .onBackpressureDrop()
            .concatMap(tick -> round().onErrorResume(failure -> {
                log.warn("Notification delivery round failed: {}", failure.toString());
                return Mono.empty();
            }))
            .subscribe();
    }

    /** One round: claims what is due and sends it; answers how many were claimed. */
    public Mono<Long> round() {
        return Mono.defer(() -> {
            Instant now = clock.instant();
            // Long enough for the call and its bookkeeping; only a control plane that died mid-send lets it expire.
            Instant lease = now.plus(properties.timeout().multipliedBy(3)).plusSeconds(30);
            return deliveries.claim(now, lease, properties.batchSize())
                .flatMap(this::send, properties.concurrency())
                .count();
        });
    }

    private Mono<Void> send(Deliveries.Claimed delivery) {
        if (delivery.url() == null) {
            failed.increment();
            return deliveries.attemptFailed(delivery.id(), null, "no webhook configured", null);
        }
        URI url = URI.create(delivery.url());
        byte[] body = delivery.payload().getBytes(StandardCharsets.UTF_8);
        Mono<Integer> call = Mono.defer(() -> {
            long timestamp = clock.instant().getEpochSecond();
            return http.post()
                .uri(url)
                .contentType(MediaType.APPLICATION_JSON)
                .header(WebhookSignature.HEADER, WebhookSignature.header(delivery.secret(), timestamp, body))
                .header(ID_HEADER, delivery.id().toString())
                .header(ATTEMPT_HEADER, Integer.toString(delivery.attempts()))
                .bodyValue(body)
                .exchangeToMono(answer -> answer.releaseBody().thenReturn(answer.statusCode().value()));
        });
        return addresses.check(url)
            .then(call)
            .timeout(properties.timeout())
            .flatMap(status -> status / 100 == 2 ? success(delivery, status)
                    : failure(delivery, status, "HTTP " + status))
            .onErrorResume(error -> failure(delivery, null, describe(error)));
    }

    private Mono<Void> success(Deliveries.Claimed delivery, int status) {
        delivered.increment();
        return deliveries.delivered(delivery.id(), status, clock.instant());
    }

    private Mono<Void> failure(Deliveries.Claimed delivery, Integer status, String error) {
        boolean last = delivery.attempts() >= properties.maxAttempts();
        Instant next = last ? null : clock.instant().plus(backoff.after(delivery.attempts()));
        (last ? failed : retried).increment();
        // The delivery id and the error only: the URL may hold a token of the receiver's, the secret never leaves.
        log.info("Notification delivery {} attempt {} failed ({}); {}", delivery.id(), delivery.attempts(), error,
                last ? "giving up" : "retrying at " + next);
        return deliveries.attemptFailed(delivery.id(), status, error, next);
    }

    /** A failure, said without the URL or anything the receiver sent. */
    private static String describe(Throwable error) {
        if (error instanceof WebhookAddresses.Refused refused) {
            return "URL refused: it " + refused.getMessage();
        }
        if (error instanceof TimeoutException) {
            return "timed out";
        }
        Throwable cause = error instanceof WebClientRequestException && error.getCause() != null ? error.getCause()
                : error;
        return "request failed: " + cause.getClass().getSimpleName();
    }

    @Override
    public void destroy() {
        Disposable current = schedule;
        if (current != null) {
            current.dispose();
        }
    }
}
