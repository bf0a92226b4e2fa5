package dev.relaygate.gateway.observability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The metric catalogue, docs/metrics.md: one section per service, one table row per metric. */
final class MetricCatalogue {

    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([a-z_:][a-z0-9_:]*)`\\s*\\|\\s*([a-z]+)\\s*\\|");

    private MetricCatalogue() {
    }

    /** A catalogued metric: its Prometheus name and Micrometer type. */
    record Entry(String name, String type) {

        /** Whether {@code scrape} (Prometheus text format) holds a sample of this metric. */
        boolean seriesIn(String scrape) {
            String series = switch (type) {
                case "timer", "histogram", "summary" -> name + "_count";
                default -> name;
            };
            return Pattern.compile("(?m)^" + Pattern.quote(series) + "[{ ]").matcher(scrape).find();
        }
    }

    /** The rows of the section headed {@code ## <section>}. */
    static List<Entry> read(String section) throws IOException {
        Path root = Path.of(System.getProperty("relaygate.root", ".."));
        List<Entry> entries = new ArrayList<>();
        boolean inSection = false;
        for (String line : Files.readAllLines(root.resolve("docs/metrics.md"))) {
            if (line.startsWith("## ")) {
                inSection = line.substring(3).trim().equals(section);
                continue;
            }
            Matcher row = ROW.matcher(line);
            if (inSection && row.find()) {
                entries.add(new Entry(row.group(1), row.group(2)));
            }
        }
        return entries;
    }
}
