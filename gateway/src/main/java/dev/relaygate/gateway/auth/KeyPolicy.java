package dev.relaygate.gateway.auth;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides what a key's policy and its plan allow: the chain, the calling origin and address, and each method.
 * Pure: no HTTP; {@link KeyPolicyFilter} turns its answers into JSON-RPC errors.
 */
public final class KeyPolicy {

    private final MethodClasses methodClasses;

    public KeyPolicy(MethodClasses methodClasses) {
        this.methodClasses = methodClasses;
    }

    /** Why the request may not use this chain from this origin and address, or empty when it may. */
    public Optional<String> refuseRequest(KeySnapshot key, PlanSnapshot plan, String chainId, String origin,
            InetAddress client) {
        KeySnapshot.Policy policy = key.policy();
        if (!allowsChain(policy.allowedChains(), chainId) || !allowsChain(plan.allowedChains(), chainId)) {
            return Optional.of("chain not allowed for this key");
        }
        if (!policy.allowedOrigins().isEmpty() && (origin == null || !allowsOrigin(policy.allowedOrigins(), origin))) {
            return Optional.of("origin not allowed for this key");
        }
        if (!policy.allowedCidrs().isEmpty() && (client == null || !allowsAddress(policy.allowedCidrs(), client))) {
            return Optional.of("address not allowed for this key");
        }
        return Optional.empty();
    }

    /** Why the key may not call {@code method} on a chain of {@code family}, or empty when it may. */
    public Optional<String> refuseMethod(KeySnapshot key, PlanSnapshot plan, String family, String method) {
        KeySnapshot.Policy policy = key.policy();
        if (MethodClasses.matchesAny(policy.deniedMethods(), method)) {
            return Optional.of(method + " is denied for this key");
        }
        if (!policy.allowedMethods().isEmpty() && !MethodClasses.matchesAny(policy.allowedMethods(), method)) {
            return Optional.of(method + " is not in this key's allowed methods");
        }
        String methodClass = methodClasses.classOf(family, method);
        if (!plan.methodClasses().contains(methodClass)) {
            return Optional.of(method + " (" + methodClass + ") is not included in the plan " + plan.name());
        }
        return Optional.empty();
    }

    /** Whether {@code origin} matches an allowlist of exact origins and {@code *.example.com} host patterns. */
    public static boolean allowsOrigin(List<String> allowed, String origin) {
        String host = host(origin);
        for (String entry : allowed) {
            if (entry.startsWith("*.")) {
                String suffix = entry.substring(1).toLowerCase(Locale.ROOT);
                if (host != null && host.endsWith(suffix) && host.length() > suffix.length()) {
                    return true;
                }
            }
            else if (entry.equalsIgnoreCase(origin)) {
                return true;
            }
        }
        return false;
    }

    private static boolean allowsChain(List<String> allowed, String chainId) {
        return allowed.isEmpty() || allowed.contains(chainId);
    }

    private static boolean allowsAddress(List<String> blocks, InetAddress client) {
        for (String block : blocks) {
            Optional<CidrBlock> parsed = CidrBlock.parse(block);
            if (parsed.isPresent() && parsed.get().contains(client)) {
                return true;
            }
        }
        return false;
    }

    private static String host(String origin) {
        try {
            String host = URI.create(origin).getHost();
            return host == null ? null : host.toLowerCase(Locale.ROOT);
        }
        catch (IllegalArgumentException e) {
            return null;
        }
    }
}
