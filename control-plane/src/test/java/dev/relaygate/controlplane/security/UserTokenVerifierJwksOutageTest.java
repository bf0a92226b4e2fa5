package dev.relaygate.controlplane.security;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.nimbusds.jose.jwk.JWKSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import reactor.test.StepVerifier;

import dev.relaygate.controlplane.testsupport.TestJwks;
import dev.relaygate.controlplane.testsupport.Tokens;
import dev.relaygate.controlplane.web.ApiException;

/**
 * The identity provider's JWKS endpoint failing: tokens keep verifying with the keys it served last, and a token
 * whose keys were never fetched gets 503 (the token was not judged), not 401.
 */
class UserTokenVerifierJwksOutageTest {

    private static final String PATH = "/.well-known/jwks.json";

    private final WireMockServer provider = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));

    @BeforeEach
    void startProvider() {
        provider.start();
    }

    @AfterEach
    void stopProvider() {
        provider.stop();
    }

    @Test
    void keepsVerifyingWithTheLastKeysWhileTheProviderIsDown() {
        serveJwks();
        // A cache shorter than any test run, so that the next verification after it must go to the provider.
        UserTokenVerifier verifier = verifier(Duration.ofSeconds(3));
        String token = TestJwks.sign(TestJwks.claims("alice").build(), TestJwks.KEY);
        assertThat(verifier.verify(token).block().subject()).isEqualTo("alice");

        provider.stubFor(get(PATH).willReturn(aResponse().withStatus(500)));

        // For longer than the cache lives, every verification is answered: past the TTL the cache asks the provider
        // again, fails there, and goes on with the keys it served last.
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
            .untilAsserted(() -> assertThat(verifier.verify(token).block().subject()).isEqualTo("alice"));
        assertThat(provider.countRequestsMatching(getRequestedFor(urlEqualTo(PATH)).build()).getCount())
            .as("asked the provider again after it failed").isGreaterThanOrEqualTo(2);
    }

    @Test
    void answers503WhenTheProvidersKeysWereNeverFetched() {
        provider.stubFor(get(PATH).willReturn(aResponse().withStatus(503)));
        UserTokenVerifier verifier = verifier(Duration.ofMinutes(5));
        String token = TestJwks.sign(TestJwks.claims("alice").build(), TestJwks.KEY);

        StepVerifier.create(verifier.verify(token))
            .expectErrorSatisfies(error -> assertThat(error).isInstanceOfSatisfying(ApiException.class,
                refusal -> assertThat(refusal.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)))
            .verify(Duration.ofSeconds(10));
    }

    private void serveJwks() {
        provider.stubFor(get(PATH).willReturn(aResponse()
            .withHeader("Content-Type", "application/json")
            .withBody(new JWKSet(TestJwks.KEY.toPublicJWK()).toString())));
    }

    private UserTokenVerifier verifier(Duration cacheTtl) {
        JwtProperties properties = new JwtProperties(null, Tokens.ISSUER, Tokens.AUDIENCE,
            URI.create("http://127.0.0.1:" + provider.port() + PATH), "RS256", "relaygate_admin",
            Duration.ofSeconds(30), Duration.ofSeconds(1), cacheTtl);
        return new UserTokenVerifier(properties);
    }
}
