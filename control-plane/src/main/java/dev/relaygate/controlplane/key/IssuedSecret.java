package dev.relaygate.controlplane.key;

import java.security.SecureRandom;

/**
 * A freshly generated key: the plaintext (shown to the caller once, never stored) and what is stored instead.
 */
public record IssuedSecret(String secret, String hash, String displayPrefix) {

    public static IssuedSecret generate(SecureRandom random) {
        String secret = ApiKeyFormat.generate(random);
        return new IssuedSecret(secret, ApiKeyFormat.sha256Hex(secret), ApiKeyFormat.displayPrefix(secret));
    }

    @Override
    public String toString() {
        return "IssuedSecret[displayPrefix=" + displayPrefix + "]";
    }
}
