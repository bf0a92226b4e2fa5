package dev.relaygate.gateway.routing;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The chains this gateway serves, found by id or alias. Built once from configuration; lookups are a map read.
 */
public final class ChainCatalogue {

    /** A chain as the hot path sees it. */
    public record Chain(String id, ChainFamily family, List<URI> upstreams) {
    }

    private final Map<String, Chain> byName;

    public ChainCatalogue(ChainProperties properties) {
        Map<String, Chain> names = new HashMap<>();
        for (ChainProperties.Chain configured : properties.chains()) {
            Chain chain = new Chain(configured.id(), configured.family(),
                    configured.upstreams().stream().map(ChainProperties.Upstream::url).toList());
            register(names, configured.id(), chain);
            configured.aliases().forEach(alias -> register(names, alias, chain));
        }
        this.byName = Map.copyOf(names);
    }

    private static void register(Map<String, Chain> names, String name, Chain chain) {
        Chain previous = names.putIfAbsent(name, chain);
        if (previous != null) {
            throw new IllegalArgumentException("Chain name '" + name + "' is used by both " + previous.id()
                    + " and " + chain.id());
        }
    }

    public Optional<Chain> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }
}
