package dev.relaygate.controlplane.security;

/**
 * A verified user, as its identity provider's token describes it.
 *
 * @param subject       the token's {@code sub}; users are identified by it
 * @param email         lower-cased {@code email} claim, or null
 * @param emailVerified whether the provider vouches for {@code email}
 * @param platformAdmin whether the token carries the platform-admin claim
 */
public record Actor(String subject, String email, boolean emailVerified, boolean platformAdmin) {
}
