package dev.relaygate.controlplane.member;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;

import dev.relaygate.controlplane.testsupport.IntegrationTest;
import dev.relaygate.controlplane.testsupport.Tokens;

/** Inviting members, changing roles, removing them, and the last-owner rule. */
@SuppressWarnings("unchecked")
class MemberIT extends IntegrationTest {

    @Test
    void ownerInvitesBySubjectAndTheInviteeSeesTheOrganization() {
        String owner = uniqueSubject("owner");
        String dev = uniqueSubject("dev");
        UUID org = createOrganization(owner);

        Map<String, Object> member = ok(owner, HttpMethod.POST, "/v1/organizations/" + org + "/members",
                Map.of("subject", dev, "role", "developer"), 201);

        assertThat(member).containsEntry("subject", dev).containsEntry("role", "developer")
            .containsEntry("status", "active");
        Map<String, Object> mine = ok(dev, HttpMethod.GET, "/v1/organizations", null, 200);
        assertThat((List<?>) mine.get("items")).singleElement()
            .satisfies(item -> assertThat((Map<String, Object>) item).containsEntry("id", org.toString())
                .containsEntry("role", "developer"));
    }

    @Test
    void invitationByEmailIsClaimedByAVerifiedAddress() {
        String owner = uniqueSubject("owner");
        String invitee = uniqueSubject("invitee");
        String email = invitee + "@example.com";
        UUID org = createOrganization(owner);
        ok(owner, HttpMethod.POST, "/v1/organizations/" + org + "/members", Map.of("email", email, "role", "viewer"),
                201);

        String token = Tokens.builder(invitee).email(email).build().sign();
        call(token, HttpMethod.GET, "/v1/organizations/" + org, null)
            .expectStatus().isOk()
            .expectBody().jsonPath("$.role").isEqualTo("viewer");

        Map<String, Object> members = ok(owner, HttpMethod.GET, "/v1/organizations/" + org + "/members?role=viewer",
                null, 200);
        assertThat((List<?>) members.get("items")).singleElement()
            .satisfies(item -> assertThat((Map<String, Object>) item).containsEntry("subject", invitee)
                .containsEntry("status", "active"));
        Map<String, Object> audit = ok(owner, HttpMethod.GET, "/v1/organizations/" + org + "/audit-log?action=member.claim",
                null, 200);
        assertThat((List<?>) audit.get("items")).singleElement()
            .satisfies(item -> assertThat((Map<String, Object>) item).containsEntry("actor", invitee));
    }

    @Test
    void theLastOwnerCanNeitherBeRemovedNorDemoted() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);
        String ownerMembership = membershipOf(owner, org, owner);

        call(Tokens.user(owner), HttpMethod.DELETE, "/v1/organizations/" + org + "/members/" + ownerMembership, null)
            .expectStatus().isEqualTo(409);
        call(Tokens.user(owner), HttpMethod.PATCH, "/v1/organizations/" + org + "/members/" + ownerMembership,
                Map.of("role", "admin"))
            .expectStatus().isEqualTo(409);
    }

    @Test
    void withASecondOwnerTheFirstMayLeave() {
        String owner = uniqueSubject("owner");
        String second = uniqueSubject("owner2");
        UUID org = createOrganization(owner);
        ok(owner, HttpMethod.POST, "/v1/organizations/" + org + "/members", Map.of("subject", second, "role", "owner"),
                201);

        call(Tokens.user(owner), HttpMethod.DELETE,
                "/v1/organizations/" + org + "/members/" + membershipOf(owner, org, owner), null)
            .expectStatus().isNoContent();

        call(Tokens.user(owner), HttpMethod.GET, "/v1/organizations/" + org, null).expectStatus().isNotFound();
        call(Tokens.user(second), HttpMethod.GET, "/v1/organizations/" + org, null).expectStatus().isOk();
    }

    @Test
    void adminsManageMembersButNotOwners() {
        String owner = uniqueSubject("owner");
        String admin = uniqueSubject("admin");
        UUID org = createOrganization(owner);
        ok(owner, HttpMethod.POST, "/v1/organizations/" + org + "/members", Map.of("subject", admin, "role", "admin"),
                201);

        call(Tokens.user(admin), HttpMethod.POST, "/v1/organizations/" + org + "/members",
                Map.of("subject", uniqueSubject("x"), "role", "owner"))
            .expectStatus().isForbidden();
        call(Tokens.user(admin), HttpMethod.DELETE,
                "/v1/organizations/" + org + "/members/" + membershipOf(owner, org, owner), null)
            .expectStatus().isForbidden();
        Map<String, Object> viewer = ok(admin, HttpMethod.POST, "/v1/organizations/" + org + "/members",
                Map.of("subject", uniqueSubject("v"), "role", "viewer"), 201);
        ok(admin, HttpMethod.PATCH, "/v1/organizations/" + org + "/members/" + viewer.get("id"),
                Map.of("role", "billing"), 200);
    }

    @Test
    void invitingAnExistingMemberIsAConflict() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);

        call(Tokens.user(owner), HttpMethod.POST, "/v1/organizations/" + org + "/members",
                Map.of("subject", owner, "role", "viewer"))
            .expectStatus().isEqualTo(409);
    }

    @Test
    void anInviteNeedsExactlyOneOfSubjectAndEmail() {
        String owner = uniqueSubject("owner");
        UUID org = createOrganization(owner);

        call(Tokens.user(owner), HttpMethod.POST, "/v1/organizations/" + org + "/members",
                Map.of("subject", "a", "email", "a@example.com", "role", "viewer"))
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.errors[0].field").isEqualTo("exactlyOneIdentity");
    }

    @SuppressWarnings("unchecked")
    private String membershipOf(String asSubject, UUID org, String memberSubject) {
        Map<String, Object> page = ok(asSubject, HttpMethod.GET, "/v1/organizations/" + org + "/members", null, 200);
        return ((List<Map<String, Object>>) page.get("items")).stream()
            .filter(m -> memberSubject.equals(m.get("subject")))
            .map(m -> (String) m.get("id"))
            .findFirst().orElseThrow();
    }
}
