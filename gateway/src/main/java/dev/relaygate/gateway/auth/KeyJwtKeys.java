package dev.relaygate.gateway.auth;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;

/**
 * The public keys registered on a JWT-secured key, parsed once per snapshot version. Each key is pinned to
 * one algorithm by its type: RSA (2048 bits or more) verifies only RS256, EC P-256 only ES256. Private,
 * symmetric and weaker keys are refused when the keys are parsed, not when a token arrives.
 */
public final class KeyJwtKeys {

    /** A registered key: its id, the one algorithm it verifies, and its verifier. */
    record Registered(String kid, JWSAlgorithm algorithm, JWSVerifier verifier) {
    }

    private final List<Registered> keys;

    private KeyJwtKeys(List<Registered> keys) {
        this.keys = List.copyOf(keys);
    }

    /** Parses the snapshot's {@code policy.jwtPublicKeys}; throws {@link IllegalArgumentException} naming a bad entry. */
    public static KeyJwtKeys parse(List<Map<String, Object>> jwks) {
        List<Registered> keys = new ArrayList<>(jwks.size());
        for (int i = 0; i < jwks.size(); i++) {
            keys.add(register(i, jwks.get(i)));
        }
        return new KeyJwtKeys(keys);
    }

    private static Registered register(int index, Map<String, Object> json) {
        JWK jwk;
        try {
            jwk = JWK.parse(json);
        }
        catch (ParseException e) {
            throw new IllegalArgumentException("jwtPublicKeys[" + index + "] is not a JWK");
        }
        if (jwk.isPrivate()) {
            throw new IllegalArgumentException("jwtPublicKeys[" + index + "] contains private key material");
        }
        try {
            if (jwk instanceof RSAKey rsa) {
                if (rsa.size() < 2048) {
                    throw new IllegalArgumentException("jwtPublicKeys[" + index + "] is an RSA key under 2048 bits");
                }
                return new Registered(jwk.getKeyID(), JWSAlgorithm.RS256, new RSASSAVerifier(rsa));
            }
            if (jwk instanceof ECKey ec) {
                if (!Curve.P_256.equals(ec.getCurve())) {
                    throw new IllegalArgumentException("jwtPublicKeys[" + index + "] is not on curve P-256");
                }
                return new Registered(jwk.getKeyID(), JWSAlgorithm.ES256, new ECDSAVerifier(ec));
            }
        }
        catch (JOSEException e) {
            throw new IllegalArgumentException("jwtPublicKeys[" + index + "] cannot verify signatures");
        }
        throw new IllegalArgumentException("jwtPublicKeys[" + index + "] must be an RSA or EC P-256 public key");
    }

    /**
     * The key a token names: the one with its {@code kid}; a token without {@code kid} may use the only
     * registered key (so a single key need not carry an id), never one of several.
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
