package dev.relaygate.controlplane.config;

/**
 * One bad property found at start-up: its name, what is wrong with it, what to write instead, and where the value
 * came from (a command-line argument, an environment variable, a file and line). Never the value itself.
 */
record ConfigurationProblem(String property, String problem, String fix, String origin) {

    String describe() {
        return property + ": " + problem + (origin == null ? "" : " (from " + origin + ")");
    }
}
