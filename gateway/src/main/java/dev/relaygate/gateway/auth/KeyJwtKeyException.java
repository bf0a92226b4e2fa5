package dev.relaygate.gateway.auth;

/**
 * Why the public keys registered on a JWT-secured key cannot be used: which entry of
 * {@code policy.jwtPublicKeys} is bad and what is wrong with it. The message names the entry and the problem,
 * never any key material, so it can be logged as it is.
 */
public final class KeyJwtKeyException extends IllegalArgumentException {

    /** What is wrong with a registered key. */
    public enum Problem {
        /** Not a JSON object that parses as a JWK. */
        NOT_A_JWK("is not a JWK"),
        /** No {@code kid}: tokens could not name it once a second key is registered. */
        MISSING_KID("has no kid"),
        /** Two entries share a {@code kid}, so a token's {@code kid} would be ambiguous. */
        DUPLICATE_KID("repeats the kid of an earlier entry"),
        /** Carries private parameters ({@code d}, {@code p}, {@code q}, {@code dp}, {@code dq}, {@code qi}, {@code oth}). */
        PRIVATE_KEY("contains private key material"),
        /** {@code kty: oct}: an HMAC secret would let anyone who reads the snapshot mint tokens. */
        SYMMETRIC_KEY("is a symmetric key"),
        /** Neither RSA nor EC (for example an OKP/Ed25519 key). */
        UNSUPPORTED_KEY_TYPE("must be an RSA or EC P-256 public key"),
        /** An RSA modulus under 2048 or over 8192 bits. */
        RSA_KEY_SIZE("must be an RSA key of 2048 to 8192 bits"),
        /** An RSA public exponent that is even, under 3 or over 256 bits (NIST SP 800-56B bounds). */
        RSA_EXPONENT("has an RSA public exponent outside 3..2^256 or even"),
        /** An EC key on a curve other than P-256, the only curve of ES256. */
        UNSUPPORTED_CURVE("is not on curve P-256");

        private final String description;

        Problem(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    private final int index;

    private final Problem problem;

    KeyJwtKeyException(int index, Problem problem) {
        super("jwtPublicKeys[" + index + "] " + problem.description());
        this.index = index;
        this.problem = problem;
    }

    /** Position of the bad entry in {@code policy.jwtPublicKeys}, from 0. */
    public int index() {
        return index;
    }

    public Problem problem() {
        return problem;
    }
}
