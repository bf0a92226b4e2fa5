package dev.relaygate.controlplane.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.relaygate.controlplane.billing.StripeSignature.Outcome;

/** The Stripe-Signature check, as Stripe documents it, plus refusal of future timestamps. */
class StripeSignatureTest {

    private static final String CURRENT = "whsec_current0123456789";

    private static final String PREVIOUS = "whsec_previous0123456789";

    private static final byte[] BODY = "{\"id\":\"evt_1\",\"type\":\"invoice.paid\"}".getBytes(StandardCharsets.UTF_8);

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private final StripeSignature signature = new StripeSignature(List.of(CURRENT, PREVIOUS), Duration.ofMinutes(5),
            Duration.ofSeconds(5));

    @Test
    void acceptsABodySignedWithTheCurrentSecret() {
        String header = StripeSignature.header(CURRENT, NOW.getEpochSecond(), BODY);

        assertThat(signature.verify(BODY, header, NOW)).isEqualTo(Outcome.VALID);
    }

    @Test
    void acceptsTheSecretBeingRotatedOut() {
        String header = StripeSignature.header(PREVIOUS, NOW.getEpochSecond(), BODY);

        assertThat(signature.verify(BODY, header, NOW)).isEqualTo(Outcome.VALID);
    }

    @Test
    void signsExactlyAsStripeDocumentsIt() throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(CURRENT.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = java.util.HexFormat.of()
            .formatHex(mac.doFinal((NOW.getEpochSecond() + "." + new String(BODY, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8)));

        assertThat(StripeSignature.header(CURRENT, NOW.getEpochSecond(), BODY))
            .isEqualTo("t=" + NOW.getEpochSecond() + ",v1=" + expected);
    }

    @Test
    void acceptsAHeaderWhoseSecondV1SignatureMatches() {
        String valid = StripeSignature.header(CURRENT, NOW.getEpochSecond(), BODY);
        String header = "t=" + NOW.getEpochSecond() + ",v1=" + "ab".repeat(32) + "," + valid.substring(valid.indexOf("v1="))
                + ",v0=" + "cd".repeat(32);

        assertThat(signature.verify(BODY, header, NOW)).isEqualTo(Outcome.VALID);
    }

    @Test
    void refusesAnotherSecret() {
        String header = StripeSignature.header("whsec_someoneElse", NOW.getEpochSecond(), BODY);

        assertThat(signature.verify(BODY, header, NOW)).isEqualTo(Outcome.NO_MATCH);
    }

    @Test
    void refusesAModifiedBody() {
        String header = StripeSignature.header(CURRENT, NOW.getEpochSecond(), BODY);
        byte[] modified = "{\"id\":\"evt_1\",\"type\":\"invoice.paid\" }".getBytes(StandardCharsets.UTF_8);

        assertThat(signature.verify(modified, header, NOW)).isEqualTo(Outcome.NO_MATCH);
    }

    @Test
    void refusesATimestampOlderThanTheTolerance() {
        long signedAt = NOW.minusSeconds(301).getEpochSecond();

        assertThat(signature.verify(BODY, StripeSignature.header(CURRENT, signedAt, BODY), NOW))
            .isEqualTo(Outcome.STALE);
        assertThat(signature.verify(BODY, StripeSignature.header(CURRENT, signedAt + 2, BODY), NOW))
            .isEqualTo(Outcome.VALID);
    }

    @Test
    void refusesATimestampInTheFutureBeyondTheClockSkew() {
        long signedAt = NOW.plusSeconds(6).getEpochSecond();

        assertThat(signature.verify(BODY, StripeSignature.header(CURRENT, signedAt, BODY), NOW))
            .isEqualTo(Outcome.FUTURE);
        assertThat(signature.verify(BODY, StripeSignature.header(CURRENT, signedAt - 1, BODY), NOW))
            .isEqualTo(Outcome.VALID);
    }

    @Test
    void refusesMalformedHeaders() {
        String valid = StripeSignature.header(CURRENT, NOW.getEpochSecond(), BODY);

        assertThat(signature.verify(BODY, null, NOW)).isEqualTo(Outcome.MALFORMED);
        assertThat(signature.verify(BODY, "", NOW)).isEqualTo(Outcome.MALFORMED);
        assertThat(signature.verify(BODY, valid.substring(valid.indexOf("v1=")), NOW)).isEqualTo(Outcome.MALFORMED);
        assertThat(signature.verify(BODY, "t=" + NOW.getEpochSecond(), NOW)).isEqualTo(Outcome.MALFORMED);
        assertThat(signature.verify(BODY, "t=abc," + valid.substring(valid.indexOf("v1=")), NOW))
            .isEqualTo(Outcome.MALFORMED);
        assertThat(signature.verify(BODY, valid + ",t=" + NOW.getEpochSecond(), NOW)).isEqualTo(Outcome.MALFORMED);
    }
}
