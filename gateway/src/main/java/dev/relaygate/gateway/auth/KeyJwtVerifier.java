package dev.relaygate.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;

/**
 * Verifies the bearer token a JWT-secured key requires: a compact JWS signed (RS256 or ES256 only, pinned to
 * the registered key's type) by one of the key's registered public keys, unexpired, already valid, and for
 * this gateway's audience. CPU only and non-blocking: the keys come from the snapshot, never from a remote
 * JWKS. Thread-safe. The token never appears in a decision, an exception or a log line.
 *
 * <p>Checks run cheapest first and claims are read only after the signature verified: size, shape, header,
 * algorithm allowlist, {@code kid}, algorithm pinned to the key's type, signature, {@code exp}, {@code nbf},
 * {@code aud}. See {@code docs/jwt-secured-keys.md}.
 */
public final class KeyJwtVerifier {

    /** Larger tokens are refused before any decoding: a real token is a few hundred bytes. */
    public static final int MAX_TOKEN_LENGTH = 8 * 1024;

    /** Larger tolerances would let a stolen token outlive its {@code exp} by more than clocks ever drift. */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    private final String audience;

    private final Duration clockSkew;

    private final Clock clock;

    /**
     * @param audience the {@code aud} every token must contain ({@code relaygate.policy.jwt-audience})
     * @param clockSkew tolerance on {@code exp} and {@code nbf}, 0 to {@link #MAX_CLOCK_SKEW}
     *        ({@code relaygate.policy.jwt-clock-skew})
     * @param clock the source of "now"
     */
    public KeyJwtVerifier(String audience, Duration clockSkew, Clock clock) {
        Objects.requireNonNull(audience, "audience");
        Objects.requireNonNull(clockSkew, "clockSkew");
        if (audience.isBlank()) {
            throw new IllegalArgumentException("the JWT audience must not be blank");
        }
        if (clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
            throw new IllegalArgumentException("the JWT clock skew must be between 0 and " + MAX_CLOCK_SKEW);
        }
        this.audience = audience;
        this.clockSkew = clockSkew;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Decides on {@code token} (the value after {@code Bearer }, or {@code null} when there is none) for a key
     * whose registered public keys are {@code keys}.
     */
    public KeyJwtDecision verify(KeyJwtKeys keys, String token) {
        Objects.requireNonNull(keys, "keys");
        if (token == null || token.isBlank()) {
            return KeyJwtDecision.refused(KeyJwtRefusal.MISSING);
        }
        if (token.length() > MAX_TOKEN_LENGTH || !isCompactJws(token)) {
            return KeyJwtDecision.refused(KeyJwtRefusal.MALFORMED);
        }
        int firstDot = token.indexOf('.');
        int secondDot = token.indexOf('.', firstDot + 1);
        Base64URL encodedHeader = new Base64URL(token.substring(0, firstDot));
        Base64URL encodedClaims = new Base64URL(token.substring(firstDot + 1, secondDot));
        Base64URL signature = new Base64URL(token.substring(secondDot + 1));

        Map<String, Object> headerJson;
        try {
            headerJson = JSONObjectUtils.parse(encodedHeader.decodeToString());
        }
        catch (ParseException | RuntimeException e) {
            return KeyJwtDecision.refused(KeyJwtRefusal.MALFORMED);
        }
        // Read alg from the raw JSON: nimbus would refuse "none" as a parse error, and the allowlist must come
        // before anything chooses a verifier (HS256 signed with the public key as secret never gets that far).
        if (!(headerJson.get("alg") instanceof String alg)) {
            return KeyJwtDecision.refused(KeyJwtRefusal.MALFORMED);
        }
        if (!JWSAlgorithm.RS256.getName().equals(alg) && !JWSAlgorithm.ES256.getName().equals(alg)) {
            return KeyJwtDecision.refused(KeyJwtRefusal.ALG_NOT_ALLOWED);
        }
        JWSHeader header;
        try {
            header = JWSHeader.parse(headerJson, encodedHeader);
        }
        catch (ParseException | RuntimeException e) {
            return KeyJwtDecision.refused(KeyJwtRefusal.MALFORMED);
        }
        if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
            // We understand no JWS extension (RFC 7515 §4.1.11), e.g. b64=false would change what was signed.
            return KeyJwtDecision.refused(KeyJwtRefusal.MALFORMED);
        }
        // Keys embedded in the token (jwk, jku, x5c, x5u) are ignored: only the registered keys verify.
        KeyJwtKeys.Registered key = keys.find(header.getKeyID());
        if (key == null) {
            return KeyJwtDecision.refused(KeyJwtRefusal.UNKNOWN_KID);
        }
        if (!key.algorithm().equals(header.getAlgorithm())) {
            return KeyJwtDecision.refused(KeyJwtRefusal.ALG_NOT_ALLOWED);
        }
        try {
            byte[] signingInput = token.substring(0, secondDot).getBytes(StandardCharsets.US_ASCII);
            if (!key.verifier().verify(header, signingInput, signature)) {
                return KeyJwtDecision.refused(KeyJwtRefusal.BAD_SIGNATURE);
            }
        }
        catch (JOSEException | RuntimeException e) {
            return KeyJwtDecision.refused(KeyJwtRefusal.BAD_SIGNATURE);
        }
        JWTClaimsSet claims;
        try {
            claims = JWTClaimsSet.parse(encodedClaims.decodeToString());
        }
        catch (ParseException | RuntimeException e) {
            return KeyJwtDecision.refused(KeyJwtRefusal.MALFORMED);
        }
        return checkClaims(claims, key.kid());
    }

    private KeyJwtDecision checkClaims(JWTClaimsSet claims, String kid) {
        Instant now = clock.instant();
        Date expires = claims.getExpirationTime();
        if (expires == null) {
            return KeyJwtDecision.refused(KeyJwtRefusal.MISSING_EXP);
        }
        // RFC 7519 §4.1.4: the current time must be before exp; the skew extends that by at most MAX_CLOCK_SKEW.
        if (!now.minus(clockSkew).isBefore(expires.toInstant())) {
            return KeyJwtDecision.refused(KeyJwtRefusal.EXPIRED);
        }
        Date notBefore = claims.getNotBeforeTime();
        if (notBefore != null && now.plus(clockSkew).isBefore(notBefore.toInstant())) {
            return KeyJwtDecision.refused(KeyJwtRefusal.NOT_YET_VALID);
        }
        List<String> audiences = claims.getAudience();
        if (audiences == null || !audiences.contains(audience)) {
            return KeyJwtDecision.refused(KeyJwtRefusal.WRONG_AUDIENCE);
        }
        return KeyJwtDecision.accepted(claims.getSubject(), kid);
    }

    /**
     * Three base64url segments (no padding, no whitespace) separated by two dots; header and claims not empty.
     * The signature may be empty here so that an {@code alg: none} token is refused for its algorithm.
     * A JWE (five segments) is not a JWS and is refused as malformed.
     */
    private static boolean isCompactJws(String token) {
        int dots = 0;
        int lastDot = -1;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '.') {
                if (i == lastDot + 1 && dots < 2) {
                    return false;
                }
                dots++;
                lastDot = i;
            }
            else if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return false;
            }
        }
        return dots == 2;
    }
}
