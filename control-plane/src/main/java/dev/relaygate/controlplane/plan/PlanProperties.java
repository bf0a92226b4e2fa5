package dev.relaygate.controlplane.plan;

import java.util.List;

import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Plans.
 *
 * @param methodClasses the method classes a plan's {@code methodClasses} may name: {@code standard} and the classes
 *     the gateways define ({@code relaygate.policy.method-classes} there; {@code debug}, {@code trace} and
 *     {@code admin} by default). A class no gateway defines would allow nothing, so it is refused.
 */
@Validated
@ConfigurationProperties("relaygate.plans")
public record PlanProperties(
        @NotEmpty @DefaultValue({ "standard", "debug", "trace", "admin" })
        List<@Pattern(regexp = "[a-z][a-z0-9_-]{0,39}") String> methodClasses) {
}
