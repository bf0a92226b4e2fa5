package dev.relaygate.controlplane.key;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * The API key format shared with the gateway (docs/architecture.md, "API key format"):
 * {@code rgk_} + 32 random base62 characters + a 6-character base62 CRC32 of the first 36 characters.
 * Pure functions, no Spring; the gateway implements the same check from the same test vectors.
 */
public final class ApiKeyFormat {

    public static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static final String PREFIX = "rgk_";

    public static final int RANDOM_LENGTH = 32;

    public static final int CHECKSUM_LENGTH = 6;

    public static final int LENGTH = PREFIX.length() + RANDOM_LENGTH + CHECKSUM_LENGTH;

    public static final int DISPLAY_PREFIX_LENGTH = 12;

    private ApiKeyFormat() {
    }

    /** A new key: {@code nextInt(62)} is unbiased, so every character carries log2(62) bits. */
    public static String generate(SecureRandom random) {
        StringBuilder key = new StringBuilder(LENGTH).append(PREFIX);
        for (int i = 0; i < RANDOM_LENGTH; i++) {
            key.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return key.append(checksum(key)).toString();
    }

    /** Whether {@code key} has the prefix, length, alphabet and a matching checksum. */
    public static boolean isValid(String key) {
        if (key == null || key.length() != LENGTH || !key.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < LENGTH; i++) {
            if (ALPHABET.indexOf(key.charAt(i)) < 0) {
                return false;
            }
        }
        String body = key.substring(0, PREFIX.length() + RANDOM_LENGTH);
        return checksum(body).equals(key.substring(PREFIX.length() + RANDOM_LENGTH));
    }

    /** CRC32 of the ASCII characters, base62, most significant digit first, left-padded with {@code 0}. */
    static String checksum(CharSequence body) {
        CRC32 crc = new CRC32();
        crc.update(body.toString().getBytes(StandardCharsets.US_ASCII));
        long value = crc.getValue();
        char[] digits = new char[CHECKSUM_LENGTH];
        for (int i = CHECKSUM_LENGTH - 1; i >= 0; i--) {
            digits[i] = ALPHABET.charAt((int) (value % 62));
            value /= 62;
        }
        return new String(digits);
    }

    /** Lower-case hex SHA-256 of the whole key: the only form of the secret that is stored or published. */
    public static String sha256Hex(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(digest);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String displayPrefix(String key) {
        return key.substring(0, DISPLAY_PREFIX_LENGTH);
    }
}
