import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens N idle WebSockets to one gateway over loopback (the JDK's client, which answers the gateway's pings with
 * pongs by itself: a second, explicit pong made it drop connections), holds them for a while, and reports the gateway
 * process's RSS, heap after a full collection and CPU (over a window with no sockets, and one at the end of the hold)
 * before, once open,
 * and while idle. Run by idle-sockets.sh; not a test. Arguments: wsUrl managementUrl gatewayPid sockets idleSeconds.
 */
public final class IdleSockets {

    private static final long CLOCK_TICKS = 100;

    /** The window over which idle CPU is taken, with no sockets and with all of them: two ping intervals. */
    private static final int CPU_WINDOW_SECONDS = 60;

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String management = args[1];
        long pid = Long.parseLong(args[2]);
        int sockets = Integer.parseInt(args[3]);
        int idleSeconds = Integer.parseInt(args[4]);

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        report("before", pid, management, http);
        double baseline = cpuOver(pid, CPU_WINDOW_SECONDS);
        System.out.printf("no sockets, %d s: gateway CPU %.2f s = %.2f%% of one core%n", CPU_WINDOW_SECONDS, baseline,
                100 * baseline / CPU_WINDOW_SECONDS);

        Ends ends = new Ends();
        WebSocket.Listener listener = new WebSocket.Listener() {

            @Override
            public CompletionStage<?> onPing(WebSocket socket, ByteBuffer message) {
                ends.pings.incrementAndGet();
                socket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket socket, int code, String reason) {
                ends.add("close " + code + (reason.isEmpty() ? "" : " " + reason));
                return null;
            }

            @Override
            public void onError(WebSocket socket, Throwable error) {
                ends.add("error " + error);
            }
        };
        List<WebSocket> open = new ArrayList<>(sockets);
        // One first, alone: the key is then in the gateway's cache, and the others do not all look it up at once.
        open.add(http.newWebSocketBuilder().buildAsync(URI.create(url), listener).get(30, TimeUnit.SECONDS));
        Semaphore handshakes = new Semaphore(100);
        List<CompletableFuture<WebSocket>> pending = new ArrayList<>(sockets);
        long started = System.nanoTime();
        for (int i = 1; i < sockets; i++) {
            handshakes.acquire();
            pending.add(http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30))
                .buildAsync(URI.create(url), listener)
                .whenComplete((socket, failure) -> handshakes.release()));
        }
        int failed = 0;
        for (CompletableFuture<WebSocket> socket : pending) {
            try {
                open.add(socket.get(60, TimeUnit.SECONDS));
            }
            catch (Exception e) {
                if (failed++ == 0) {
                    System.out.println("first failure: " + e);
                }
            }
        }
        System.out.printf("opened %d sockets (%d failed) in %.1f s%n", open.size(), failed,
                (System.nanoTime() - started) / 1e9);
        report("open", pid, management, http);

        long[] cpuBefore = cpu(pid);
        long wallBefore = System.nanoTime();
        ends.since(wallBefore);
        // The hold, then one more window over which the CPU is taken alone (the opening's work long done).
        long deadline = wallBefore + TimeUnit.SECONDS.toNanos(Math.max(0, idleSeconds - CPU_WINDOW_SECONDS));
        while (System.nanoTime() < deadline) {
            long nap = Math.min(TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1, 30_000);
            nap(nap);
            System.out.printf("  %4.0f s idle: pings received %d, ended %s%n", (System.nanoTime() - wallBefore) / 1e9,
                    ends.pings.get(), ends);
        }
        double window = cpuOver(pid, Math.min(idleSeconds, CPU_WINDOW_SECONDS));
        long[] cpuAfter = cpu(pid);
        double wall = (System.nanoTime() - wallBefore) / 1e9;
        double cpuSeconds = ((cpuAfter[0] - cpuBefore[0]) + (cpuAfter[1] - cpuBefore[1])) / (double) CLOCK_TICKS;
        System.out.printf("idle %.0f s: gateway CPU %.2f s = %.2f%% of one core; over its last %d s: %.2f s = %.2f%%"
                + " of one core; pings received %d; sockets ended: %d (%s)%n", wall, cpuSeconds, 100 * cpuSeconds / wall,
                CPU_WINDOW_SECONDS, window, 100 * window / CPU_WINDOW_SECONDS, ends.pings.get(), ends.count(), ends);
        report("idle", pid, management, http);
        System.out.printf("survived: %d of %d opened%n", open.size() - ends.count(), open.size());
        long clientGcMillis = 0;
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            clientGcMillis += Math.max(0, collector.getCollectionTime());
        }
        System.out.printf("client: GC %.1f s in all; longest stall of its main thread %.1f s%s%n",
                clientGcMillis / 1e3, longestStallNanos / 1e9, longestStallNanos > TimeUnit.SECONDS.toNanos(10)
                        ? " (the client did not keep up: closes 4000 are of sockets it left unanswered)" : "");

        for (WebSocket socket : open) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "");
        }
    }

    /** How the client saw sockets end (close frames by code, errors by kind), and the pings it received. */
    private static final class Ends {

        final AtomicInteger pings = new AtomicInteger();

        private final Map<String, Integer> byKind = new TreeMap<>();

        private long sinceNanos = System.nanoTime();

        private long firstNanos = -1;

        private long lastNanos = -1;

        synchronized void since(long nanos) {
            sinceNanos = nanos;
        }

        synchronized void add(String kind) {
            byKind.merge(kind, 1, Integer::sum);
            long now = System.nanoTime();
            if (firstNanos < 0) {
                firstNanos = now;
            }
            lastNanos = now;
        }

        synchronized int count() {
            return byKind.values().stream().mapToInt(Integer::intValue).sum();
        }

        @Override
        public synchronized String toString() {
            return byKind.isEmpty() ? "none" : byKind + String.format(" between %.1f and %.1f s idle",
                    (firstNanos - sinceNanos) / 1e9, (lastNanos - sinceNanos) / 1e9);
        }
    }

    /** How much later than asked this JVM's sleeps of the hold ended, at most. */
    private static long longestStallNanos;

    /**
     * Sleeps, and notes by how much the sleep overran: one that ends much later than asked means this JVM was not
     * running (collecting, or a starved machine), its sockets answered no ping meanwhile, and the gateway rightly
     * closes sockets silent for its idle timeout.
     */
    private static void nap(long millis) throws InterruptedException {
        long started = System.nanoTime();
        Thread.sleep(millis);
        longestStallNanos = Math.max(longestStallNanos,
                System.nanoTime() - started - TimeUnit.MILLISECONDS.toNanos(millis));
    }

    /** The gateway's CPU seconds (user and system) over the next {@code seconds}. */
    private static double cpuOver(long pid, int seconds) throws Exception {
        long[] before = cpu(pid);
        nap(TimeUnit.SECONDS.toMillis(seconds));
        long[] after = cpu(pid);
        return ((after[0] - before[0]) + (after[1] - before[1])) / (double) CLOCK_TICKS;
    }

    /** Runs a full collection in the gateway (jcmd), so that the heap reported is what is live. */
    private static void collect(long pid) throws Exception {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "GC.run").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
        if (!jcmd.waitFor(60, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
            System.out.println("jcmd GC.run failed: heap below is before a collection");
        }
    }

    private static void report(String when, long pid, String management, HttpClient http) throws Exception {
        collect(pid);
        String scrape = http.send(HttpRequest.newBuilder(URI.create(management + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double heap = 0;
        Matcher used = Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\",id=\"[^\"]*\"} (\\S+)$").matcher(scrape);
        while (used.find()) {
            heap += Double.parseDouble(used.group(1));
        }
        Matcher sockets = Pattern.compile("(?m)^relaygate_websocket_sockets (\\S+)$").matcher(scrape);
        StringBuilder closes = new StringBuilder();
        Matcher closed = Pattern.compile("(?m)^relaygate_websocket_closes_total\\{reason=\"([a-z_]+)\"} (\\S+)$")
            .matcher(scrape);
        while (closed.find()) {
            if (Double.parseDouble(closed.group(2)) > 0) {
                closes.append(' ').append(closed.group(1)).append('=').append(closed.group(2));
            }
        }
        System.out.printf("%-6s gateway RSS %6.1f MiB, heap after GC %6.1f MiB, open sockets %s, closes:%s%n", when,
                rssKiB(pid) / 1024.0, heap / 1024 / 1024, sockets.find() ? sockets.group(1) : "?",
                closes.length() == 0 ? " none" : closes);
    }

    private static long rssKiB(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    /** utime and stime of the process, in clock ticks (proc(5)). */
    private static long[] cpu(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12])};
    }
}
