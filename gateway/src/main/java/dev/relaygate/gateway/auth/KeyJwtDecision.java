package dev.relaygate.gateway.auth;

/**
 * The verdict on a JWT-secured key's token: accepted (with the token's subject and key id) or refused (why).
 */
public record KeyJwtDecision(KeyJwtRefusal refusal, String subject, String kid) {

    static KeyJwtDecision accepted(String subject, String kid) {
        return new KeyJwtDecision(null, subject, kid);
    }

    static KeyJwtDecision refused(KeyJwtRefusal refusal) {
        return new KeyJwtDecision(refusal, null, null);
    }

    public boolean isAccepted() {
        return refusal == null;
    }
}
