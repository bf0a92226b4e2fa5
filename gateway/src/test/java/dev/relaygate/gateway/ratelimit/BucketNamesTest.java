package dev.relaygate.gateway.ratelimit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BucketNamesTest {

    private final BucketNames names = new BucketNames();

    private final RateLimitPolicy plan = new RateLimitPolicy(100, 200, 6_000);

    @Test
    void buildsAnOrganizationsNameOnceAndHandsTheSameStringBack() {
        String first = names.organization("org-1", plan);

        assertThat(first).isEqualTo(RateLimitKeys.organization("org-1", plan));
        assertThat(names.organization("org-1", new RateLimitPolicy(100, 200, 6_000))).isSameAs(first);
    }

    @Test
    void aNewShapeGetsItsNewNameAtOnce() {
        names.organization("org-1", plan);
        RateLimitPolicy upgraded = new RateLimitPolicy(500, 1_000, 30_000);

        assertThat(names.organization("org-1", upgraded)).isEqualTo(RateLimitKeys.organization("org-1", upgraded));
        assertThat(names.organization("org-1", plan)).isEqualTo(RateLimitKeys.organization("org-1", plan));
    }

    @Test
    void organizationsSharingASlotEachGetTheirOwnName() {
        for (int i = 0; i < 5_000; i++) {
            String organization = "org-" + (i % 1_300);

            assertThat(names.organization(organization, plan))
                .isEqualTo(RateLimitKeys.organization(organization, plan));
        }
    }
}
