package dev.relaygate.controlplane.key;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.relaygate.controlplane.testsupport.IntegrationTest;
import reactor.test.StepVerifier;

/** The key repository against real Postgres: optimistic locking, rotation and retirement of old secrets. */
class ApiKeyRepositoryIT extends IntegrationTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    @Autowired
    private ApiKeyRepository keys;

    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);

    private ApiKey newKey(UUID org) {
        return keys.insert(UUID.randomUUID(), org, "repo", IssuedSecret.generate(RANDOM), "tester", now, null,
                KeyPolicy.OPEN).block();
    }

    @Test
    void anUpdateFromAStaleVersionChangesNothing() {
        UUID org = createOrganization(uniqueSubject("owner"));
        ApiKey key = newKey(org);

        StepVerifier.create(keys.update(org, key.id(), key.version(), "first", null, false, null, now))
            .assertNext(updated -> assertThat(updated.version()).isEqualTo(key.version() + 1))
            .verifyComplete();
        StepVerifier.create(keys.update(org, key.id(), key.version(), "second", null, false, null, now))
            .verifyComplete();
        StepVerifier.create(keys.find(org, key.id()))
            .assertNext(found -> assertThat(found.name()).isEqualTo("first"))
            .verifyComplete();
    }

    @Test
    void aKeyOfAnotherOrganizationIsNeitherFoundNorChanged() {
        UUID org = createOrganization(uniqueSubject("owner"));
        UUID other = createOrganization(uniqueSubject("other"));
        ApiKey key = newKey(org);

        StepVerifier.create(keys.find(other, key.id())).verifyComplete();
        StepVerifier.create(keys.update(other, key.id(), key.version(), "x", null, false, null, now)).verifyComplete();
        StepVerifier.create(keys.revoke(other, key.id(), now)).verifyComplete();
        StepVerifier.create(keys.rotate(other, key.id(), key.version(), IssuedSecret.generate(RANDOM), null, now))
            .verifyComplete();
    }

    @Test
    void aRevokedKeyIsNotRotated() {
        UUID org = createOrganization(uniqueSubject("owner"));
        ApiKey key = newKey(org);
        ApiKey revoked = keys.revoke(org, key.id(), now).block();

        StepVerifier.create(keys.rotate(org, key.id(), revoked.version(), IssuedSecret.generate(RANDOM),
                now.plusSeconds(60), now)).verifyComplete();
    }

    @Test
    void rotationKeepsTheOldHashFindableUntilItIsRetired() {
        UUID org = createOrganization(uniqueSubject("owner"));
        ApiKey key = newKey(org);
        IssuedSecret next = IssuedSecret.generate(RANDOM);
        Instant graceEnd = now.plus(Duration.ofMinutes(5));

        ApiKey rotated = keys.rotate(org, key.id(), key.version(), next, graceEnd, now).block();

        assertThat(rotated.secretHash()).isEqualTo(next.hash());
        assertThat(rotated.previousSecretHash()).isEqualTo(key.secretHash());
        StepVerifier.create(keys.findByHash(key.secretHash()))
            .assertNext(found -> assertThat(found.id()).isEqualTo(key.id()))
            .verifyComplete();
        StepVerifier.create(keys.retireExpiredPreviousSecrets(graceEnd.minusSeconds(1), 500)
                .filter(r -> r.key().id().equals(key.id())))
            .verifyComplete();
        StepVerifier.create(keys.retireExpiredPreviousSecrets(graceEnd, 500).filter(r -> r.key().id().equals(key.id())))
            .assertNext(retired -> {
                assertThat(retired.hash()).isEqualTo(key.secretHash());
                assertThat(retired.key().previousSecretHash()).isNull();
                assertThat(retired.key().version()).isEqualTo(rotated.version() + 1);
            })
            .verifyComplete();
        StepVerifier.create(keys.findByHash(key.secretHash())).verifyComplete();
    }
}
