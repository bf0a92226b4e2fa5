package dev.relaygate.controlplane.usage;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * One usage batch a gateway appended to {@code rg:usage}, checked against the contract
 * (docs/contracts/usage-batch.json, schema 1). Fields the contract does not name are ignored.
 *
 * @param batchId   stable across re-sends of the same batch: what makes it count once
 * @param gatewayId the gateway that sent it (informational)
 * @param rows      per (minute, organization, key, chain, method, outcome) counts
 */
public record UsageBatch(String batchId, String gatewayId, List<UsageRow> rows) {

    /** The one schema this reader understands; a batch of another schema is dead-lettered, not guessed at. */
    public static final int SCHEMA = 1;

    static final int MAX_ID_LENGTH = 200;

    static final int MAX_NAME_LENGTH = 200;

    public UsageBatch {
        Objects.requireNonNull(batchId, "batchId");
        rows = List.copyOf(rows);
    }

    /**
     * Reads and checks one stream payload.
     *
     * @throws Unreadable with a reason fit for the dead-letter table when the payload is not a valid batch
     */
    public static UsageBatch parse(JsonMapper json, String payload) {
        if (payload == null) {
            throw new Unreadable("the entry has no 'batch' field");
        }
        WireBatch wire;
        try {
            wire = json.readValue(payload, WireBatch.class);
        }
        catch (JacksonException e) {
            throw new Unreadable("not a usage batch document: " + e.getOriginalMessage());
        }
        if (wire == null) {
            throw new Unreadable("empty document");
        }
        if (wire.schema() == null || wire.schema() != SCHEMA) {
            throw new Unreadable("unsupported schema " + wire.schema() + " (this control plane reads " + SCHEMA + ")");
        }
        if (wire.batchId() == null || wire.batchId().isBlank() || wire.batchId().length() > MAX_ID_LENGTH) {
            throw new Unreadable("batchId must be 1-" + MAX_ID_LENGTH + " characters");
        }
        if (wire.rows() == null) {
            throw new Unreadable("rows is missing");
        }
        List<UsageRow> rows = new ArrayList<>(wire.rows().size());
        for (int i = 0; i < wire.rows().size(); i++) {
            rows.add(row(i, wire.rows().get(i)));
        }
        return new UsageBatch(wire.batchId(), wire.gatewayId(), rows);
    }

    private static UsageRow row(int index, WireRow wire) {
        String at = "rows[" + index + "]";
        if (wire == null) {
            throw new Unreadable(at + " is null");
        }
        Outcome outcome = Outcome.fromWire(wire.outcome());
        if (outcome == null) {
            throw new Unreadable(at + ".outcome must be ok, rpc_error, rate_limited or upstream_error");
        }
        return new UsageRow(instant(at + ".minute", wire.minute()), uuid(at + ".organizationId", wire.organizationId()),
                uuid(at + ".keyId", wire.keyId()), name(at + ".chain", wire.chain()),
                name(at + ".method", wire.method()), outcome, count(at + ".calls", wire.calls()),
                count(at + ".computeUnits", wire.computeUnits()),
                count(at + ".upstreamLatencyMillis", wire.upstreamLatencyMillis()));
    }

    private static Instant instant(String field, String value) {
        try {
            return Instant.parse(Objects.requireNonNull(value));
        }
        catch (NullPointerException | DateTimeParseException e) {
            throw new Unreadable(field + " must be an ISO-8601 instant");
        }
    }

    private static UUID uuid(String field, String value) {
        try {
            return UUID.fromString(Objects.requireNonNull(value));
        }
        catch (NullPointerException | IllegalArgumentException e) {
            throw new Unreadable(field + " must be a UUID");
        }
    }

    private static String name(String field, String value) {
        if (value == null || value.isBlank() || value.length() > MAX_NAME_LENGTH) {
            throw new Unreadable(field + " must be 1-" + MAX_NAME_LENGTH + " characters");
        }
        return value;
    }

    private static long count(String field, Long value) {
        if (value == null || value < 0) {
            throw new Unreadable(field + " must be a non-negative integer");
        }
        return value;
    }

    /** A stream entry that is not a usage batch this reader can count; the message says why. */
    public static final class Unreadable extends RuntimeException {

        Unreadable(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The document as sent, before checks. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record WireBatch(Integer schema, String batchId, String gatewayId, List<WireRow> rows) {
    }

    /** One row as sent, before checks. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record WireRow(String minute, String organizationId, String keyId, String chain, String method, String outcome,
            Long calls, Long computeUnits, Long upstreamLatencyMillis) {
    }
}
