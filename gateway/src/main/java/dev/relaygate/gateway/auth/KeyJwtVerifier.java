package dev.relaygate.gateway.auth;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;

/**
 * Verifies the bearer token a JWT-secured key requires: signed (RS256 or ES256 only, pinned to the registered
 * key's type) by one of the key's registered public keys, unexpired, already valid, and for this gateway's
 * audience. CPU only: the keys come from the snapshot, never from a remote JWKS. Tokens are never logged.
 */
public final class KeyJwtVerifier {

    /** Larger tokens are refused before any parsing. */
    static final int MAX_TOKEN_LENGTH = 8 * 1024;

    private final String audience;

    private final Duration clockSkew;

    private final Clock clock;

    public KeyJwtVerifier(String audience, Duration clockSkew, Clock clock) {
        this.audience = audience;
        this.clockSkew = clockSkew;
        this.clock = clock;
    }

    public KeyJwtDecision verify(KeyJwtKeys keys, String token) {
        if (token == null || token.isBlank()) {
            return KeyJwtDecision.refused(KeyJwtRefusal.MISSING);
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            return KeyJwtDecision.refused(KeyJwtRefusal.MALFORMED);
        }
        JWT parsed;
        try {
            parsed = JWTParser.parse(token);
        }
        catch (ParseException | RuntimeException e) {
            return KeyJwtDecision.refused(KeyJwtRefusal.MALFORMED);
        }
        if (!(parsed instanceof SignedJWT jwt)) {
            // An unsecured ("alg": "none") or encrypted token.
            return KeyJwtDecision.refused(KeyJwtRefusal.ALG_NOT_ALLOWED);
        }
        JWSAlgorithm algorithm = jwt.getHeader().getAlgorithm();
        if (!JWSAlgorithm.RS256.equals(algorithm) && !JWSAlgorithm.ES256.equals(algorithm)) {
            return KeyJwtDecision.refused(KeyJwtRefusal.ALG_NOT_ALLOWED);
        }
        KeyJwtKeys.Registered key = keys.find(jwt.getHeader().getKeyID());
        if (key == null) {
            return KeyJwtDecision.refused(KeyJwtRefusal.UNKNOWN_KID);
        }
        if (!key.algorithm().equals(algorithm)) {
            return KeyJwtDecision.refused(KeyJwtRefusal.ALG_NOT_ALLOWED);
        }
        try {
            if (!jwt.verify(key.verifier())) {
                return KeyJwtDecision.refused(KeyJwtRefusal.BAD_SIGNATURE);
            }
        }
        catch (JOSEException | RuntimeException e) {
            return KeyJwtDecision.refused(KeyJwtRefusal.BAD_SIGNATURE);
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        }
        catch (ParseException e) {
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
}
