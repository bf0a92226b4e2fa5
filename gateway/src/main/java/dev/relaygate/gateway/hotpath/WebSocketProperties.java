package dev.relaygate.gateway.hotpath;

import java.time.Duration;
import java.util.Map;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * JSON-RPC over WebSocket at {@code ws://…/v1/{chain}/{apiKey}} (docs/websocket.md). Limits per socket, per key and
 * per organization; the per-key and per-organization socket limits hold per gateway instance.
 *
 * @param enabled serve upgrades; when off, an upgrade request is answered like any GET (405)
 * @param maxMessageBytes the largest message a client may send (frames of one message together); a larger one closes
 *     the socket with 1009
 * @param maxSubscriptionsPerSocket the most subscriptions one socket may hold at once
 * @param maxSocketsPerKey the most open sockets of one key on this gateway instance
 * @param maxSocketsPerOrganization the most open sockets of one organization on this gateway instance
 * @param maxInFlight calls of one socket relayed at once; further messages wait (TCP back-pressure)
 * @param maxBufferedBytes answers and notifications queued for a client that does not read them, with what Netty
 *     holds for the connection; beyond this the socket is closed with 4008 (slow consumer)
 * @param pingInterval the gateway pings every socket this often
 * @param idleTimeout a socket with nothing received (messages, pongs) for this long is closed with 4000
 * @param notificationWeights compute units each delivered notification costs, by subscription type
 */
@Validated
@ConfigurationProperties("relaygate.websocket")
public record WebSocketProperties(
        @DefaultValue("true") boolean enabled,
        @Min(1024) @DefaultValue("1048576") int maxMessageBytes,
        @Min(1) @Max(10000) @DefaultValue("100") int maxSubscriptionsPerSocket,
        @Min(1) @DefaultValue("100") int maxSocketsPerKey,
        @Min(1) @DefaultValue("1000") int maxSocketsPerOrganization,
        @Min(1) @Max(1000) @DefaultValue("16") int maxInFlight,
        @Min(65536) @DefaultValue("4194304") long maxBufferedBytes,
        @NotNull @DefaultValue("30s") Duration pingInterval,
        @NotNull @DefaultValue("90s") Duration idleTimeout,
        Map<String, Long> notificationWeights) {

    /** Compute units of one notification when {@code notification-weights} does not name its type. */
    public static final Map<String, Long> DEFAULT_NOTIFICATION_WEIGHTS = Map.of("newHeads", 20L, "logs", 20L,
            "newPendingTransactions", 10L);

    public WebSocketProperties {
        notificationWeights = notificationWeights == null || notificationWeights.isEmpty()
                ? DEFAULT_NOTIFICATION_WEIGHTS : Map.copyOf(notificationWeights);
    }

    /** The weight of one notification of {@code type}. */
    public long notificationWeight(String type) {
        Long weight = notificationWeights.get(type);
        return weight != null ? weight : DEFAULT_NOTIFICATION_WEIGHTS.getOrDefault(type, 20L);
    }

    @AssertTrue(message = "idle-timeout must be longer than ping-interval")
    boolean isIdleTimeoutLongerThanPings() {
        return pingInterval == null || idleTimeout == null || idleTimeout.compareTo(pingInterval) > 0;
    }
}
