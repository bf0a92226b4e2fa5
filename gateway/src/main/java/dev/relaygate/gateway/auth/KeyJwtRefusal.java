package dev.relaygate.gateway.auth;

/**
 * Why a JWT-secured key's token was refused. For logs and metrics only: the caller gets the same
 * "unauthorized" answer whatever the reason (docs/jwt-secured-keys.md lists when each applies).
 */
public enum KeyJwtRefusal {
    /** No bearer token. */
    MISSING,
    /** Not a compact JWS (three base64url segments with JSON header and claims), or longer than 8 KiB. */
    MALFORMED,
    /** {@code alg} is not RS256 or ES256 ({@code none}, HS256...), or not the one the named key's type verifies. */
    ALG_NOT_ALLOWED,
    /** No registered key has the token's {@code kid} (or the token has none and several keys are registered). */
    UNKNOWN_KID,
    /** The signature does not verify with the named key. */
    BAD_SIGNATURE,
    /** {@code exp} has passed, beyond the clock skew. */
    EXPIRED,
    /** {@code nbf} is still ahead, beyond the clock skew. */
    NOT_YET_VALID,
    /** {@code aud} is absent or does not contain this gateway's audience. */
    WRONG_AUDIENCE,
    /** No {@code exp}: tokens must be short-lived. */
    MISSING_EXP
}
