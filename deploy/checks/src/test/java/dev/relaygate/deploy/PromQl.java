package dev.relaygate.deploy;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the metric names out of a PromQL expression (enough of PromQL for our rules and dashboards). */
final class PromQl {

    private static final Set<String> WORDS = Set.of(
            // operators and modifiers
            "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool",
            "atan2",
            // aggregations
            "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
            "quantile", "limitk", "limit_ratio",
            // functions
            "abs", "absent", "absent_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min", "day_of_month",
            "day_of_week", "day_of_year", "days_in_month", "delta", "deriv", "exp", "floor", "histogram_quantile",
            "histogram_count", "histogram_sum", "histogram_fraction", "holt_winters", "hour", "idelta", "increase",
            "irate", "label_join", "label_replace", "ln", "log2", "log10", "minute", "month", "predict_linear",
            "rate", "resets", "round", "scalar", "sgn", "sort", "sort_desc", "sqrt", "time", "timestamp", "vector",
            "year", "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
            "quantile_over_time", "stddev_over_time", "stdvar_over_time", "last_over_time", "present_over_time",
            "inf", "nan");

    private static final Pattern IDENTIFIER = Pattern.compile("(?<![A-Za-z0-9_:.])[A-Za-z_:][A-Za-z0-9_:]*");

    private PromQl() {
    }

    /** The metric names {@code expression} selects. */
    static Set<String> metricNames(String expression) {
        String stripped = expression
            .replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")          // string literals
            .replaceAll("\\{[^}]*}", "")                               // label matchers
            .replaceAll("\\[[^]]*]", "")                               // ranges and subqueries
            .replaceAll("(?i)\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ") // label lists
            .replaceAll("\\$\\{?[A-Za-z_]+}?", " ");                   // Grafana variables
        Set<String> names = new TreeSet<>();
        Matcher identifier = IDENTIFIER.matcher(stripped);
        while (identifier.find()) {
            String word = identifier.group();
            if (!WORDS.contains(word.toLowerCase(java.util.Locale.ROOT))) {
                names.add(word);
            }
        }
        return names;
    }
}
