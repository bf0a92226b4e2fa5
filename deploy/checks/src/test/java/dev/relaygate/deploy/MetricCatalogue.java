package dev.relaygate.deploy;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * docs/metrics.md, the metrics the services expose: the only series dashboards and alert rules may name. A timer
 * adds {@code _count}, {@code _sum} and {@code _max} series, a histogram {@code _bucket} too.
 */
final class MetricCatalogue {

    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([a-z_:][a-z0-9_:]*)`\\s*\\|\\s*([a-z]+)\\s*\\|",
            Pattern.MULTILINE);

    private final Map<String, String> types;

    private MetricCatalogue(Map<String, String> types) {
        this.types = types;
    }

    static MetricCatalogue read() {
        Map<String, String> types = new TreeMap<>();
        Matcher row = ROW.matcher(Repository.read("docs/metrics.md"));
        while (row.find()) {
            types.put(row.group(1), row.group(2));
        }
        return new MetricCatalogue(types);
    }

    int size() {
        return types.size();
    }

    /** The series names a query may use: each metric, and its timer or histogram series. */
    Set<String> seriesNames() {
        Set<String> names = new TreeSet<>();
        types.forEach((name, type) -> {
            names.add(name);
            if (type.equals("timer") || type.equals("histogram")) {
                names.add(name + "_count");
                names.add(name + "_sum");
                names.add(name + "_max");
            }
            if (type.equals("histogram")) {
                names.add(name + "_bucket");
            }
        });
        return names;
    }
}
