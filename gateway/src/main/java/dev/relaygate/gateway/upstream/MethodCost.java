package dev.relaygate.gateway.upstream;

import java.util.List;

/** The compute units of a request's methods, for upstream compute-unit budgets (the rate limiter's weights). */
@FunctionalInterface
public interface MethodCost {

    long cost(String family, List<String> methods);
}
