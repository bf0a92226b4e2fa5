package dev.relaygate.gateway.routing;

import java.net.URI;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The chain catalogue as configured: {@code relaygate.chains[i].id}, {@code .aliases[j]}, {@code .family},
 * {@code .upstreams[k].url}.
 */
@Validated
@ConfigurationProperties("relaygate")
public record ChainProperties(@Valid @DefaultValue List<Chain> chains) {

    /** One chain: the id and aliases it answers to in {@code /v1/{chain}}, its family and its upstream nodes. */
    public record Chain(
            @NotNull @Pattern(regexp = "[a-z0-9][a-z0-9-]{0,62}") String id,
            @DefaultValue List<@Pattern(regexp = "[a-z0-9][a-z0-9-]{0,62}") String> aliases,
            @NotNull @DefaultValue("evm") ChainFamily family,
            @NotEmpty List<@Valid Upstream> upstreams) {
    }

    /** An upstream node of a chain. */
    public record Upstream(@NotNull URI url) {
    }
}
