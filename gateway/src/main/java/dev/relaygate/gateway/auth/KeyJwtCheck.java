package dev.relaygate.gateway.auth;

import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The JWT step of a key's policy: when the key requires a token, the caller's bearer token must pass
 * {@link KeyJwtVerifier} against the key's registered public keys, which are parsed once per snapshot version.
 */
public final class KeyJwtCheck {

    private final KeyJwtVerifier verifier;

    private final Cache<String, Optional<KeyJwtKeys>> parsedKeys =
        Caffeine.newBuilder().executor(Runnable::run).maximumSize(10_000).build();

    public KeyJwtCheck(KeyJwtVerifier verifier) {
        this.verifier = verifier;
    }

    /** Whether the request may proceed: the key needs no token, or {@code token} is valid for it. */
    public boolean allows(KeySnapshot key, String token) {
        if (!key.policy().jwtRequired()) {
            return true;
        }
        Optional<KeyJwtKeys> keys = parsedKeys.get(key.keyId() + ':' + key.version(), ignored -> parse(key));
        return keys.isPresent() && verifier.verify(keys.get(), token).isAccepted();
    }

    /** Keys that cannot be parsed verify nothing: the key is unusable until the control plane fixes them. */
    private static Optional<KeyJwtKeys> parse(KeySnapshot key) {
        try {
            return Optional.of(KeyJwtKeys.parse(key.policy().jwtPublicKeys()));
        }
        catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
