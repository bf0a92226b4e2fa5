package dev.relaygate.controlplane.billing;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies a {@code Stripe-Signature} header over the raw request body exactly as Stripe signs it: HMAC-SHA256,
 * keyed with the whole endpoint secret, of {@code "{t}.{body}"}, compared in constant time with every {@code v1}
 * signature of the header (Stripe sends several while it rolls a secret) and every configured secret (two while
 * we roll ours). The timestamp is checked after the signature, so a forged header learns nothing about our clock.
 * Unlike stripe-java's {@code Webhook.constructEvent}, a timestamp in the future (beyond a small clock skew) is
 * refused too: a signed payload from the future can only be a replay prepared in advance.
 */
public final class StripeSignature {

    /** What a verification concluded. Only {@link #VALID} lets the event in. */
    public enum Outcome {
        VALID, MALFORMED, NO_MATCH, STALE, FUTURE
    }

    private static final String HMAC = "HmacSHA256";

    private final List<SecretKeySpec> secrets;

    private final Duration tolerance;

    private final Duration futureSkew;

    public StripeSignature(List<String> secrets, Duration tolerance, Duration futureSkew) {
        this.secrets = requireNonNull(secrets, "secrets").stream()
            .map(s -> new SecretKeySpec(s.getBytes(StandardCharsets.UTF_8), HMAC))
            .toList();
        this.tolerance = requireNonNull(tolerance, "tolerance");
        this.futureSkew = requireNonNull(futureSkew, "futureSkew");
    }

    public Outcome verify(byte[] body, String header, Instant now) {
        requireNonNull(body, "body");
        requireNonNull(now, "now");
        Parsed parsed = parse(header);
        if (parsed == null) {
            return Outcome.MALFORMED;
        }
        if (!matchesAny(parsed, body)) {
            return Outcome.NO_MATCH;
        }
        Instant signedAt = Instant.ofEpochSecond(parsed.timestamp());
        if (signedAt.isBefore(now.minus(tolerance))) {
            return Outcome.STALE;
        }
        if (signedAt.isAfter(now.plus(futureSkew))) {
            return Outcome.FUTURE;
        }
        return Outcome.VALID;
    }

    /** The header to send with {@code body} signed at {@code timestamp} with {@code secret} (tests, tooling). */
    public static String header(String secret, long timestamp, byte[] body) {
        byte[] mac = mac(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC), timestamp, body);
        return "t=" + timestamp + ",v1=" + HexFormat.of().formatHex(mac);
    }

    private boolean matchesAny(Parsed parsed, byte[] body) {
        boolean matched = false;
        for (SecretKeySpec secret : secrets) {
            byte[] expected = mac(secret, parsed.timestamp(), body);
            for (byte[] candidate : parsed.signatures()) {
                // No early exit: every comparison is made, whatever matched.
                matched |= MessageDigest.isEqual(expected, candidate);
            }
        }
        return matched;
    }

    private static byte[] mac(SecretKeySpec secret, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(secret);
            mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body);
        }
        catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code t=...,v1=...,v1=...,v0=...}: exactly one {@code t}, at least one well-formed {@code v1}. */
    private static Parsed parse(String header) {
        if (header == null || header.length() > 4096) {
            return null;
        }
        Long timestamp = null;
        List<byte[]> signatures = new ArrayList<>();
        for (String element : header.split(",")) {
            int eq = element.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = element.substring(0, eq).strip();
            String value = element.substring(eq + 1).strip();
            if (key.equals("t")) {
                if (timestamp != null) {
                    return null;
                }
                try {
                    timestamp = Long.parseLong(value);
                }
                catch (NumberFormatException e) {
                    return null;
                }
            }
            else if (key.equals("v1") && value.length() == 64) {
                try {
                    signatures.add(HexFormat.of().parseHex(value));
                }
                catch (IllegalArgumentException e) {
                    // Not hex: not a signature we could ever match; other v1 values may still be.
                }
            }
        }
        return timestamp == null || signatures.isEmpty() ? null : new Parsed(timestamp, signatures);
    }

    private record Parsed(long timestamp, List<byte[]> signatures) {
    }
}
