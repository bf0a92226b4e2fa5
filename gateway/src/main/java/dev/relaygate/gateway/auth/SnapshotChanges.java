package dev.relaygate.gateway.auth;

/**
 * Told by the {@link InvalidationListener} after it has evicted what the control plane announced as changed, so that
 * whoever holds a key for longer than one request (an open WebSocket) can look at it again. Called on Lettuce's I/O
 * thread: implementations return at once and never block.
 */
public interface SnapshotChanges {

    /** The key snapshot of SHA-256 {@code hash} changed (revoked, expired, policy or plan edited). */
    void keyChanged(KeyHash hash);

    /** Plan {@code planId} changed. */
    void planChanged(String planId);

    /** Announcements may have been missed (a Redis reconnect): everything may have changed. */
    void allChanged();
}
