package dev.relaygate.gateway.auth;

import java.math.BigInteger;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;

import dev.relaygate.gateway.auth.KeyJwtKeyException.Problem;

/**
 * The public keys registered on a JWT-secured key, parsed once per snapshot version (parsing and building the
 * verifiers is the expensive part, so it never happens per request). Immutable and thread-safe. Each key is
 * pinned to one algorithm by its type: RSA verifies only RS256, EC P-256 only ES256. Private, symmetric, weak or
 * off-curve keys are refused here, when the snapshot arrives, not when a token does.
 */
public final class KeyJwtKeys {

    /** A registered key: its id, the one algorithm it verifies, and its verifier. */
    record Registered(String kid, JWSAlgorithm algorithm, JWSVerifier verifier) {
    }

    private static final KeyJwtKeys NONE = new KeyJwtKeys(List.of());

    /**
     * JWK parameters that only a private key has (RFC 7518 §6.2.2 and §6.3.2). Checked on the raw JSON, before
     * nimbus parses it, so that a partial private key (say {@code p} and {@code q} without {@code d}) is refused too.
     */
    private static final Set<String> PRIVATE_PARAMETERS = Set.of("d", "p", "q", "dp", "dq", "qi", "oth");

    private static final int MIN_RSA_BITS = 2048;

    /** Verifying with a larger modulus costs more CPU on the event loop than any real deployment needs. */
    private static final int MAX_RSA_BITS = 8192;

    /**
     * A huge public exponent turns each verification into a full modular exponentiation on the event loop;
     * NIST SP 800-56B bounds it by 2^256 (65537 is what every tool generates).
     */
    private static final int MAX_RSA_EXPONENT_BITS = 256;

    private final List<Registered> keys;

    private KeyJwtKeys(List<Registered> keys) {
        this.keys = List.copyOf(keys);
    }

    /** No registered key: every token is refused ({@link KeyJwtRefusal#UNKNOWN_KID}). */
    public static KeyJwtKeys none() {
        return NONE;
    }

    /**
     * Parses the snapshot's {@code policy.jwtPublicKeys} (public JWKs as JSON objects).
     *
     * @throws KeyJwtKeyException naming the first bad entry and what is wrong with it
     */
    public static KeyJwtKeys parse(List<Map<String, Object>> jwks) {
        Objects.requireNonNull(jwks, "jwks");
        List<Registered> keys = new ArrayList<>(jwks.size());
        Set<String> kids = new HashSet<>();
        for (int i = 0; i < jwks.size(); i++) {
            Registered key = register(i, jwks.get(i));
            if (!kids.add(key.kid())) {
                throw new KeyJwtKeyException(i, Problem.DUPLICATE_KID);
            }
            keys.add(key);
        }
        return new KeyJwtKeys(keys);
    }

    /** How many keys are registered. */
    public int size() {
        return keys.size();
    }

    private static Registered register(int index, Map<String, Object> json) {
        if (json == null) {
            throw new KeyJwtKeyException(index, Problem.NOT_A_JWK);
        }
        if ("oct".equals(json.get("kty"))) {
            throw new KeyJwtKeyException(index, Problem.SYMMETRIC_KEY);
        }
        if (PRIVATE_PARAMETERS.stream().anyMatch(json::containsKey)) {
            throw new KeyJwtKeyException(index, Problem.PRIVATE_KEY);
        }
        JWK jwk;
        try {
            jwk = JWK.parse(json);
        }
        catch (ParseException | RuntimeException e) {
            throw new KeyJwtKeyException(index, Problem.NOT_A_JWK);
        }
        if (jwk.isPrivate()) {
            throw new KeyJwtKeyException(index, Problem.PRIVATE_KEY);
        }
        if (jwk.getKeyID() == null || jwk.getKeyID().isBlank()) {
            throw new KeyJwtKeyException(index, Problem.MISSING_KID);
        }
        try {
            if (jwk instanceof RSAKey rsa) {
                checkRsa(index, rsa);
                return new Registered(jwk.getKeyID(), JWSAlgorithm.RS256, new RSASSAVerifier(rsa));
            }
            if (jwk instanceof ECKey ec) {
                // nimbus has already checked that the point lies on the curve (invalid-curve attacks).
                if (!Curve.P_256.equals(ec.getCurve())) {
                    throw new KeyJwtKeyException(index, Problem.UNSUPPORTED_CURVE);
                }
                return new Registered(jwk.getKeyID(), JWSAlgorithm.ES256, new ECDSAVerifier(ec));
            }
        }
        catch (JOSEException e) {
            throw new KeyJwtKeyException(index, Problem.NOT_A_JWK);
        }
        throw new KeyJwtKeyException(index, Problem.UNSUPPORTED_KEY_TYPE);
    }

    private static void checkRsa(int index, RSAKey rsa) {
        int bits = rsa.size();
        if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
            throw new KeyJwtKeyException(index, Problem.RSA_KEY_SIZE);
        }
        BigInteger exponent = rsa.getPublicExponent().decodeToBigInteger();
        if (exponent.compareTo(BigInteger.valueOf(3)) < 0 || !exponent.testBit(0)
                || exponent.bitLength() > MAX_RSA_EXPONENT_BITS) {
            throw new KeyJwtKeyException(index, Problem.RSA_EXPONENT);
        }
    }

    /**
     * The key a token names: the one with its {@code kid}. A token without {@code kid} may use the only
     * registered key (so a backend with one key need not set a header it has never needed), never one of
     * several: guessing among keys would hide mistakes and multiply the verification cost.
     */
    Registered find(String kid) {
        if (kid == null) {
            return keys.size() == 1 ? keys.get(0) : null;
        }
        for (Registered key : keys) {
            if (kid.equals(key.kid())) {
                return key;
            }
        }
        return null;
    }
}
