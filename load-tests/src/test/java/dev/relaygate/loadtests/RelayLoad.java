package dev.relaygate.loadtests;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import dev.relaygate.gateway.ratelimit.MethodWeights;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Clients relaying a mix of cheap single and batched JSON-RPC calls through the gateways until stopped, each
 * worker in a loop, and the tally of what they saw answered, per key: the calls of every 2xx answer (what the
 * gateway served and meters), the compute units of the calls answered with a result (priced by the gateway's own
 * {@link MethodWeights}), the calls answered with an error, and the calls of requests that got no 2xx answer.
 */
final class RelayLoad {

    /** Cheap methods any EVM node answers at once, with their parameters. */
    private static final List<Call> CALLS = List.of(
            new Call("eth_chainId", "[]"),
            new Call("eth_blockNumber", "[]"),
            new Call("eth_getBalance", "[\"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\",\"latest\"]"),
            new Call("net_version", "[]"));

    private static final double BATCH_SHARE = 0.4;

    private static final int MIN_BATCH = 2;

    private static final int MAX_BATCH = 5;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();

    private final MethodWeights weights;

    private final List<Target> targets;

    private final Map<String, Tally> tallies = new ConcurrentHashMap<>();

    private final AtomicLong answeredCalls = new AtomicLong();

    private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();

    private final List<Thread> workers = new ArrayList<>();

    private volatile boolean stopping;

    private RelayLoad(List<Target> targets, MethodWeights weights) {
        this.targets = List.copyOf(targets);
        this.weights = weights;
        for (Target target : targets) {
            tallies.computeIfAbsent(target.keyId(), k -> new Tally());
        }
    }

    /** Starts {@code workers} clients, each sending to a target drawn at random for every request. */
    static RelayLoad start(List<Target> targets, int workers, MethodWeights weights) {
        RelayLoad load = new RelayLoad(targets, weights);
        for (int i = 0; i < workers; i++) {
            Thread worker = Thread.ofPlatform().name("relay-load-" + i).daemon().start(load::run);
            load.workers.add(worker);
        }
        return load;
    }

    /** Calls answered 2xx so far, over every key. */
    long answeredCalls() {
        return answeredCalls.get();
    }

    boolean running() {
        return !stopping && workers.stream().allMatch(Thread::isAlive);
    }

    /** Stops the clients and waits until each one's request in flight is answered or failed. */
    void stop() {
        stopping = true;
        for (Thread worker : workers) {
            try {
                worker.join(Duration.ofSeconds(60));
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while stopping the load", e);
            }
        }
    }

    /** What the clients saw for {@code keyId}. */
    Seen seen(String keyId) {
        return Objects.requireNonNull(tallies.get(keyId), keyId).snapshot();
    }

    /** Calls of {@code keyId} answered 2xx by gateway {@code gateway} at or after {@code sinceNanos} (System.nanoTime). */
    long callsAnsweredSince(String keyId, int gateway, long sinceNanos) {
        return answers.stream()
            .filter(a -> a.keyId().equals(keyId) && a.gateway() == gateway && a.atNanos() - sinceNanos >= 0)
            .mapToLong(Answer::calls)
            .sum();
    }

    private void run() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (!stopping) {
            Target target = targets.get(random.nextInt(targets.size()));
            int size = random.nextDouble() < BATCH_SHARE ? random.nextInt(MIN_BATCH, MAX_BATCH + 1) : 1;
            List<Call> calls = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                calls.add(CALLS.get(random.nextInt(CALLS.size())));
            }
            send(target, calls, size > 1);
        }
    }

    private void send(Target target, List<Call> calls, boolean batch) {
        StringBuilder body = new StringBuilder(batch ? "[" : "");
        for (int id = 0; id < calls.size(); id++) {
            if (id > 0) {
                body.append(',');
            }
            body.append("{\"jsonrpc\":\"2.0\",\"id\":").append(id).append(",\"method\":\"")
                .append(calls.get(id).method()).append("\",\"params\":").append(calls.get(id).params()).append('}');
        }
        if (batch) {
            body.append(']');
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(target.url()))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build();
        Tally tally = tallies.get(target.keyId());
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException e) {
            tally.unanswered.add(calls.size());
            return;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            tally.unanswered.add(calls.size());
            return;
        }
        if (response.statusCode() / 100 != 2) {
            tally.unanswered.add(calls.size());
            return;
        }
        long now = System.nanoTime();
        tally.served.add(calls.size());
        try {
            JsonNode answer = JSON.readTree(response.body());
            for (JsonNode one : batch ? answer : List.of(answer)) {
                if (one.has("result")) {
                    tally.computeUnits.add(weights.cost(MethodWeights.EVM, calls.get(one.get("id").asInt()).method()));
                }
                else {
                    tally.errors.increment();
                }
            }
        }
        catch (JacksonException e) {
            tally.errors.add(calls.size());
        }
        answers.add(new Answer(target.keyId(), target.gateway(), now, calls.size()));
        answeredCalls.addAndGet(calls.size());
    }

    /**
     * Where one key's calls go.
     *
     * @param gateway the gateway's index in the stack
     * @param url the gateway's relay URL with the key's secret
     * @param keyId the key's id, as the usage API groups by
     */
    record Target(int gateway, String url, String keyId) {
    }

    /**
     * What the clients saw for one key.
     *
     * @param served calls in 2xx answers
     * @param computeUnits the weights of the calls answered with a result
     * @param errors calls in 2xx answers answered with an error object
     * @param unanswered calls of requests that got no 2xx answer (refused, failed, cut off)
     */
    record Seen(long served, long computeUnits, long errors, long unanswered) {
    }

    private record Call(String method, String params) {
    }

    private record Answer(String keyId, int gateway, long atNanos, int calls) {
    }

    private static final class Tally {

        final LongAdder served = new LongAdder();

        final LongAdder computeUnits = new LongAdder();

        final LongAdder errors = new LongAdder();

        final LongAdder unanswered = new LongAdder();

        Seen snapshot() {
            return new Seen(served.sum(), computeUnits.sum(), errors.sum(), unanswered.sum());
        }
    }
}
