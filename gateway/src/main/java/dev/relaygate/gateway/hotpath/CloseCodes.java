package dev.relaygate.gateway.hotpath;

/**
 * The close codes and reasons of the gateway's WebSockets, defined once (docs/websocket.md, "Close codes"). 1000-1011
 * are RFC 6455's; 4000-4999 are the application's own.
 */
final class CloseCodes {

    /** A code and a short reason (at most 123 bytes), and the metric tag of its {@code relaygate.websocket.closes}. */
    record Close(int code, String reason, String tag) {
    }

    static final Close NORMAL = new Close(1000, "", "normal");

    static final Close GOING_AWAY = new Close(1001, "going away", "going_away");

    static final Close TOO_BIG = new Close(1009, "message too big", "too_big");

    static final Close IDLE = new Close(4000, "idle timeout", "idle");

    static final Close REVOKED = new Close(4001, "key revoked, expired or no longer authorized", "revoked");

    static final Close FORBIDDEN = new Close(4003, "forbidden by the key's policy", "forbidden");

    static final Close SLOW_CONSUMER = new Close(4008, "slow consumer: send buffer full", "slow_consumer");

    static final Close[] ALL = {NORMAL, GOING_AWAY, TOO_BIG, IDLE, REVOKED, FORBIDDEN, SLOW_CONSUMER};

    private CloseCodes() {
    }
}
