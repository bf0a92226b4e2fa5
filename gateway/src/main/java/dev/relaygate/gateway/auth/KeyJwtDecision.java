package dev.relaygate.gateway.auth;

/**
 * The verdict on a JWT-secured key's token: accepted (with the token's subject and the registered key that
 * verified it) or refused (why). Carries nothing from a refused token.
 *
 * @param refusal why the token was refused; {@code null} when it was accepted
 * @param subject the accepted token's {@code sub}; {@code null} when refused or when the token has none
 * @param kid the {@code kid} of the registered key that verified the token; {@code null} when refused
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
