package dev.relaygate.controlplane.member;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

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

    public boolean canManageKeys() {
        return this == OWNER || this == ADMIN || this == DEVELOPER;
    }

    public boolean canUpdateOrganization() {
        return this == OWNER || this == ADMIN;
    }

    public boolean canManageMembers() {
        return this == OWNER || this == ADMIN;
    }

    public boolean canChangePlan() {
        return this == OWNER || this == BILLING;
    }
}
