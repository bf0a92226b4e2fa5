package dev.relaygate.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.zip.CRC32;

import io.netty.util.concurrent.FastThreadLocal;

/**
 * Relaygate's API key format (docs/architecture.md, "API key format"): {@code rgk_}, 32 base-62 characters and
 * a 6-character base-62 CRC32 checksum. Checked before any cache, Redis or control-plane lookup, so typos and
 * random guesses cost nothing but this check.
 */
public final class ApiKeyFormat {

    static final String PREFIX = "rgk_";

    static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    static final int RANDOM_LENGTH = 32;

    static final int CHECKSUM_LENGTH = 6;

    static final int LENGTH = PREFIX.length() + RANDOM_LENGTH + CHECKSUM_LENGTH;

    private ApiKeyFormat() {
    }

    /**
     * Whether {@code key} has the right prefix, length, alphabet and checksum. Asked on every request, so it
     * allocates nothing: the checksum is computed over the characters and compared digit by digit.
     */
    public static boolean isWellFormed(String key) {
        if (key == null || key.length() != LENGTH || !key.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < LENGTH; i++) {
            if (ALPHABET.indexOf(key.charAt(i)) < 0) {
                return false;
            }
        }
        int body = LENGTH - CHECKSUM_LENGTH;
        CRC32 crc = new CRC32();
        for (int i = 0; i < body; i++) {
            // The alphabet is ASCII: each character is its own byte, as in the control plane's US-ASCII encoding.
            crc.update(key.charAt(i));
        }
        long value = crc.getValue();
        for (int i = LENGTH - 1; i >= body; i--) {
            if (key.charAt(i) != ALPHABET.charAt((int) (value % 62))) {
                return false;
            }
            value /= 62;
        }
        return true;
    }

    /** The SHA-256 of the key, the only form in which a key is looked up or stored. */
    public static KeyHash hash(String key) {
        return KeyHash.of(SHA_256.get().digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * One digest per thread: looking one up per call (a provider search) cost more than the hashing. A Netty
     * {@code FastThreadLocal}: on the event loops it is an index into the thread's array, where a {@code ThreadLocal}
     * probed the loop's crowded {@code ThreadLocalMap} past collisions (0.6 % of the gateway's CPU at 50 connections).
     */
    private static final FastThreadLocal<MessageDigest> SHA_256 = new FastThreadLocal<>() {
        @Override
        protected MessageDigest initialValue() {
            try {
                return MessageDigest.getInstance("SHA-256");
            }
            catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every JDK", e);
            }
        }
    };
}
