package dev.relaygate.gateway.ratelimit;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The price list of the gateway: how many compute units (CU) one JSON-RPC call costs, per chain family
 * ({@code evm}, {@code solana}, {@code generic}). A batch costs the sum of its calls.
 *
 * <p>Defaults are modelled on the compute-unit tables public providers publish (see {@code docs/rate-limiting.md}
 * for the full table). Configuration overrides single methods, prefix rules ({@code debug_*}) and the cost of
 * an unknown method, per family. Lookup order: exact method, then the longest matching prefix rule, then the
 * family's unknown-method cost. Every call costs at least 1 CU so that no method is free to flood with.
 */
public final class MethodWeights {

    public static final String EVM = "evm";
    public static final String SOLANA = "solana";
    public static final String GENERIC = "generic";

    private final Map<String, FamilyTable> families;

    private MethodWeights(Map<String, FamilyTable> families) {
        this.families = Map.copyOf(families);
    }

    /** The built-in defaults, without overrides. */
    public static MethodWeights defaults() {
        return from(MethodWeightProperties.none());
    }

    /** The defaults with the given overrides applied on top. */
    public static MethodWeights from(MethodWeightProperties overrides) {
        Objects.requireNonNull(overrides, "overrides");
        Map<String, Map<String, Long>> merged = new HashMap<>();
        DefaultWeights.TABLES.forEach((family, table) -> merged.put(family, new LinkedHashMap<>(table)));
        overrides.methods().forEach((family, table) ->
            merged.computeIfAbsent(family.toLowerCase(Locale.ROOT), f -> new LinkedHashMap<>()).putAll(table));
        Map<String, FamilyTable> families = new HashMap<>();
        merged.forEach((family, table) -> {
            long unknown = overrides.unknownMethod().getOrDefault(family,
                DefaultWeights.UNKNOWN.getOrDefault(family, DefaultWeights.UNKNOWN.get(GENERIC)));
            families.put(family, FamilyTable.of(table, unknown));
        });
        overrides.unknownMethod().forEach((family, unknown) ->
            families.putIfAbsent(family.toLowerCase(Locale.ROOT), FamilyTable.of(Map.of(), unknown)));
        return new MethodWeights(families);
    }

    /** Cost of one call of {@code method} on a chain of {@code family}; unknown families are priced as generic. */
    public long cost(String family, String method) {
        Objects.requireNonNull(method, "method");
        return table(family).cost(method);
    }

    /** Cost of a batch: the sum of its calls' costs. */
    public long cost(String family, List<String> methods) {
        FamilyTable table = table(family);
        long total = 0;
        for (String method : methods) {
            total = Math.addExact(total, table.cost(Objects.requireNonNull(method, "method")));
        }
        return total;
    }

    /**
     * Whether {@code method} has an entry of its own in the family's table (not a prefix rule, not the unknown-method
     * cost): a name from configuration, safe to show in traces and logs where a caller's raw string is not.
     */
    public boolean knows(String family, String method) {
        return method != null && table(family).exact().containsKey(method);
    }

    private FamilyTable table(String family) {
        FamilyTable table = family == null ? null : families.get(family.toLowerCase(Locale.ROOT));
        return table != null ? table : families.get(GENERIC);
    }

    /** One family's exact entries, its prefix rules (longest first) and its unknown-method cost. */
    private record FamilyTable(Map<String, Long> exact, List<Map.Entry<String, Long>> prefixes, long unknown) {

        static FamilyTable of(Map<String, Long> table, long unknown) {
            Map<String, Long> exact = new HashMap<>();
            Map<String, Long> prefixes = new HashMap<>();
            table.forEach((method, cost) -> {
                if (method.endsWith("*")) {
                    prefixes.put(method.substring(0, method.length() - 1), cost);
                }
                else {
                    exact.put(method, cost);
                }
            });
            // Longest prefix first, so "debug_trace*" can be priced apart from "debug_*".
            List<Map.Entry<String, Long>> ordered = prefixes.entrySet().stream()
                .sorted((a, b) -> Integer.compare(b.getKey().length(), a.getKey().length()))
                .map(e -> Map.entry(e.getKey(), e.getValue()))
                .toList();
            return new FamilyTable(Map.copyOf(exact), ordered, unknown);
        }

        long cost(String method) {
            Long exactCost = exact.get(method);
            if (exactCost != null) {
                return atLeastOne(exactCost);
            }
            for (Map.Entry<String, Long> prefix : prefixes) {
                if (method.startsWith(prefix.getKey())) {
                    return atLeastOne(prefix.getValue());
                }
            }
            return atLeastOne(unknown);
        }

        private static long atLeastOne(long cost) {
            return Math.max(1, cost);
        }
    }
}
