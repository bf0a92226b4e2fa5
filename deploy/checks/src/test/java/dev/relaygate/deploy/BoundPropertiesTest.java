package dev.relaygate.deploy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The relaxed-binding reader the compose and manifest checks rely on tells bound variables from others. */
class BoundPropertiesTest {

    @Test
    void gatewayBindsItsRecordsPropertiesIndexedAndNested() {
        BoundProperties gateway = Service.GATEWAY.bound();

        assertThat(gateway.bindsEnvironmentVariable("RELAYGATE_CONTROLPLANE_INTERNALTOKEN")).isTrue();
        assertThat(gateway.bindsEnvironmentVariable("RELAYGATE_CHAINS_0_UPSTREAMS_1_URL")).isTrue();
        assertThat(gateway.bindsEnvironmentVariable("RELAYGATE_USAGE_SPOOL_DIRECTORY")).isTrue();
        assertThat(gateway.bindsEnvironmentVariable("RELAYGATE_POLICY_TRUSTEDPROXIES")).isTrue();
        assertThat(gateway.bindsEnvironmentVariable("SERVER_PORT")).isTrue();
        // Spelled with the dash kept, or a property the gateway does not have, or the control plane's.
        assertThat(gateway.bindsEnvironmentVariable("RELAYGATE_CONTROL_PLANE_URL")).isFalse();
        assertThat(gateway.bindsEnvironmentVariable("RELAYGATE_CHAINS_0_UPSTREAMS_0_PASSWORD")).isFalse();
        assertThat(gateway.bindsEnvironmentVariable("RELAYGATE_INTERNAL_TOKEN")).isFalse();
    }

    @Test
    void controlPlaneBindsItsOwnPropertiesOnly() {
        BoundProperties controlPlane = Service.CONTROL_PLANE.bound();

        assertThat(controlPlane.bindsEnvironmentVariable("RELAYGATE_INTERNAL_TOKEN")).isTrue();
        assertThat(controlPlane.bindsEnvironmentVariable("RELAYGATE_BILLING_STRIPE_WEBHOOKSECRETS_0")).isTrue();
        assertThat(controlPlane.bindsEnvironmentVariable("SPRING_R2DBC_PASSWORD")).isTrue();
        assertThat(controlPlane.bindsEnvironmentVariable("RELAYGATE_CONTROLPLANE_URL")).isFalse();
        assertThat(controlPlane.bindsEnvironmentVariable("RELAYGATE_SECURITY_JWT_SECRET")).isFalse();
    }
}
