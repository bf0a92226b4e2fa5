package dev.relaygate.gateway.auth;

/** Why a JWT-secured key's token was refused. Never sent to the caller in more detail than "unauthorized". */
public enum KeyJwtRefusal {
    MISSING, MALFORMED, ALG_NOT_ALLOWED, UNKNOWN_KID, BAD_SIGNATURE, EXPIRED, NOT_YET_VALID, WRONG_AUDIENCE, MISSING_EXP
}
