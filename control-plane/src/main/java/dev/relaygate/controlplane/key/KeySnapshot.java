package dev.relaygate.controlplane.key;

/** The key snapshot published to {@code rg:key:{sha256}} (contracts/key-snapshot.json). */
public record KeySnapshot(int schema, String keyId, String hash, String organizationId, String planId,
        String status, String expiresAt, long version, KeyPolicy policy) {

    public static final String ACTIVE = "active";

    public static final String REVOKED = "revoked";
}
