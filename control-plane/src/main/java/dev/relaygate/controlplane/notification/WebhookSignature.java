package dev.relaygate.controlplane.notification;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code Relaygate-Signature} header of a webhook delivery: {@code t=<unix seconds>,v1=<hex HMAC-SHA256>} of
 * {@code "<t>.<body>"} under the organization's signing secret (docs/usage-and-quotas.md, "Verifying a delivery").
 * The timestamp is signed with the body, so a receiver that refuses old timestamps refuses replays.
 */
public final class WebhookSignature {

    /** The header carrying the signature. */
    public static final String HEADER = "Relaygate-Signature";

    private static final String HMAC = "HmacSHA256";

    private WebhookSignature() {
    }

    /** The header value for {@code body} sent at {@code timestamp} (Unix seconds). */
    public static String header(String secret, long timestamp, byte[] body) {
        requireNonNull(secret, "secret");
        requireNonNull(body, "body");
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC));
            mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
            return "t=" + timestamp + ",v1=" + HexFormat.of().formatHex(mac.doFinal(body));
        }
        catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
