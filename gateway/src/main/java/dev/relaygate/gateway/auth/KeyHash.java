package dev.relaygate.gateway.auth;

import java.util.HexFormat;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The SHA-256 of an API key, the only form in which a key is looked up or stored: 32 bytes held as four longs. Its
 * text form is the lowercase hex of the contracts ({@code docs/contracts/key-snapshot.json}, {@code rg:key:<hash>}).
 * <p>
 * Why not the hex string: a gateway caches up to 100,000 keys, each under its hash. As a string the hash took ~104
 * bytes (the object and its 64 characters); these four longs take 40. And a request hashes its key without building
 * the 64 characters, nor hashing them again to look them up.
 */
public final class KeyHash {

    private static final HexFormat HEX = HexFormat.of();

    private final long first;

    private final long second;

    private final long third;

    private final long fourth;

    private KeyHash(long first, long second, long third, long fourth) {
        this.first = first;
        this.second = second;
        this.third = third;
        this.fourth = fourth;
    }

    /** The hash whose 32 bytes are {@code digest}. */
    static KeyHash of(byte[] digest) {
        if (digest.length != 32) {
            throw new IllegalArgumentException("a SHA-256 has 32 bytes, not " + digest.length);
        }
        return new KeyHash(word(digest, 0), word(digest, 8), word(digest, 16), word(digest, 24));
    }

    /** The hash written as 64 hex digits (either case); {@link IllegalArgumentException} for anything else. */
    @JsonCreator
    public static KeyHash parse(String hex) {
        if (hex == null || hex.length() != 64) {
            throw new IllegalArgumentException("a key hash is 64 hex digits");
        }
        return new KeyHash(HexFormat.fromHexDigitsToLong(hex, 0, 16), HexFormat.fromHexDigitsToLong(hex, 16, 32),
                HexFormat.fromHexDigitsToLong(hex, 32, 48), HexFormat.fromHexDigitsToLong(hex, 48, 64));
    }

    private static long word(byte[] bytes, int offset) {
        long word = 0;
        for (int i = offset; i < offset + 8; i++) {
            word = (word << 8) | (bytes[i] & 0xFF);
        }
        return word;
    }

    /** Compares all 32 bytes whatever differs first, as {@link java.security.MessageDigest#isEqual} does. */
    @Override
    public boolean equals(Object other) {
        return other instanceof KeyHash hash
                && ((first ^ hash.first) | (second ^ hash.second) | (third ^ hash.third) | (fourth ^ hash.fourth)) == 0;
    }

    @Override
    public int hashCode() {
        // The bytes are uniformly random already: any 32 of them spread as well as a mix of all would.
        return (int) first;
    }

    /** The lowercase hex of the contracts. */
    @JsonValue
    @Override
    public String toString() {
        return HEX.toHexDigits(first) + HEX.toHexDigits(second) + HEX.toHexDigits(third) + HEX.toHexDigits(fourth);
    }
}
