package dev.relaygate.controlplane.security;

/**
 * Who is calling and under which request id: what a handler needs to authorize and to write the audit log.
 * Resolved from the exchange by {@link CallerArgumentResolver}.
 */
public record Caller(Actor actor, String requestId) {

    public String subject() {
        return actor.subject();
    }
}
