package dev.relaygate.controlplane.config;

import java.util.List;
import java.util.stream.Collectors;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Turns a start-up that failed on one bad property into one message that lists every bad property of the control plane,
 * each with what is wrong, what to write instead and where the value came from (issue #18). Spring stops at the
 * first {@code @ConfigurationProperties} record that does not bind; this analyzer binds and validates all of them
 * again ({@link ConfigurationProblems}) so an operator fixes everything in one round.
 * <p>
 * Values are never shown: a property may be a secret, and a URL may carry a credential. Registered in
 * {@code META-INF/spring.factories}; runs ahead of Boot's own bind analyzers.
 */
public final class ConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<BindException> implements Ordered {

    static final String DOCUMENTATION = "docs/control-plane-config.md";

    private final Environment environment;

    public ConfigurationFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, BindException cause) {
        List<ConfigurationProblem> problems = ConfigurationProblems.of(environment, "dev.relaygate.controlplane", cause);
        String description = problems.stream()
            .map(problem -> "  - " + problem.describe())
            .collect(Collectors.joining(System.lineSeparator(),
                    "The control plane's configuration has " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s")
                            + ":" + System.lineSeparator(), ""));
        String action = problems.stream()
            .map(problem -> "  - " + problem.property() + ": " + problem.fix())
            .collect(Collectors.joining(System.lineSeparator(), "Correct every property listed (each property and its "
                    + "default is in " + DOCUMENTATION + "):" + System.lineSeparator(), ""));
        return new FailureAnalysis(description, action, cause);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
