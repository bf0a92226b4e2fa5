package dev.relaygate.gateway.auth;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Sorts methods into classes per chain family ({@code debug}, {@code trace}, …; everything else is
 * {@code standard}), so a plan can allow whole classes: free plans get {@code standard} only.
 */
public final class MethodClasses {

    public static final String STANDARD = "standard";

    /** Defaults, modelled on what providers keep off free tiers: node internals and expensive tracing. */
    public static final Map<String, Map<String, List<String>>> DEFAULTS = Map.of(
            "evm", Map.of(
                    "debug", List.of("debug_*"),
                    "trace", List.of("trace_*"),
                    "admin", List.of("admin_*", "personal_*", "miner_*", "txpool_*")));

    private final Map<String, Map<String, List<String>>> classes;

    public MethodClasses(Map<String, Map<String, List<String>>> configured) {
        this.classes = configured.isEmpty() ? DEFAULTS : Map.copyOf(configured);
    }

    /** The class of {@code method} in {@code family}. */
    public String classOf(String family, String method) {
        Map<String, List<String>> familyClasses = classes.getOrDefault(family.toLowerCase(Locale.ROOT), Map.of());
        for (Map.Entry<String, List<String>> entry : familyClasses.entrySet()) {
            if (matchesAny(entry.getValue(), method)) {
                return entry.getKey();
            }
        }
        return STANDARD;
    }

    /** Whether {@code method} matches one of {@code patterns}: exact names, or prefixes written {@code name*}. */
    public static boolean matchesAny(List<String> patterns, String method) {
        // By index, not with an iterator, and regionMatches rather than startsWith(substring): asked for every call,
        // it must not allocate (the iterator showed in allocation profiles).
        for (int i = 0; i < patterns.size(); i++) {
            String pattern = patterns.get(i);
            if (pattern.endsWith("*")
                    ? method.regionMatches(0, pattern, 0, pattern.length() - 1)
                    : method.equals(pattern)) {
                return true;
            }
        }
        return false;
    }
}
