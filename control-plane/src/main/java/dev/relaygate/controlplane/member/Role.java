package dev.relaygate.controlplane.member;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import dev.relaygate.controlplane.web.ApiException;

/**
 * What a member may do in an organization. Owners do everything; admins manage members (but not owners) and
 * keys; developers manage keys; billing manages the plan and billing; viewers only read.
 */
public enum Role {
    OWNER, ADMIN, DEVELOPER, BILLING, VIEWER;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Role fromWire(String value) {
        return value == null ? null : Role.valueOf(value.toUpperCase(Locale.ROOT));
    }

    /** Parses a query parameter, refusing an unknown role with a field problem. */
    public static Role parameter(String field, String value) {
        try {
            return fromWire(value);
        }
        catch (IllegalArgumentException e) {
            throw ApiException.invalidField(field, "must be one of owner, admin, developer, billing, viewer");
        }
    }

    public boolean canManageKeys() {
        return this == OWNER || this == ADMIN || this == DEVELOPER;
    }

    public boolean canUpdateOrganization() {
        return this == OWNER || this == ADMIN;
    }

    public boolean canManageMembers() {
        return this == OWNER || this == ADMIN;
    }

    /** The organization's quota notifications: its webhook and the deliveries to it (issue #15). */
    public boolean canManageNotifications() {
        return this == OWNER || this == ADMIN;
    }

    /** Checkout, the billing portal, invoices and the billing overview (issue #16). */
    public boolean canManageBilling() {
        return this == OWNER || this == BILLING;
    }
}
