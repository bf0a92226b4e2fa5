package dev.relaygate.local;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** The local stack's development sign-in speaks the authorization code flow with PKCE as a real provider does. */
class DevIdentityProviderTest {

    private static final URI PORTAL = URI.create("http://127.0.0.1:8090/portal/");

    private static final String VERIFIER = "a-verifier-of-the-portal-that-is-at-least-43-characters-long";

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private DevIdentityProvider provider;

    @BeforeEach
    void start() {
        provider = DevIdentityProvider.start(Ports.free(), new DevTokens("0123456789abcdef0123456789abcdef"), PORTAL);
    }

    @AfterEach
    void stop() {
        provider.close();
    }

    @Test
    void refusesAnAuthorizationRequestWithoutPkce() throws Exception {
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(provider.authorizationEndpoint()
                + "?response_type=code&client_id=relaygate-portal&redirect_uri=" + encode(PORTAL.toString())
                + "&state=s")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(page.body()).contains("PKCE");
    }

    @Test
    void refusesARedirectToAnythingButThePortal() throws Exception {
        HttpResponse<String> answer = authorize(Map.of("redirect_uri", "https://attacker.example/portal/"));

        assertThat(answer.statusCode()).isEqualTo(400);
    }

    @Test
    void tradesACodeAndItsVerifierForAUserTokenOnce() throws Exception {
        String code = code();

        HttpResponse<String> first = token(code, VERIFIER);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://127.0.0.1:8090");
        JsonNode body = new ObjectMapper().readTree(first.body());
        JWTClaimsSet claims = SignedJWT.parse(body.get("access_token").asString()).getJWTClaimsSet();
        assertThat(claims.getSubject()).isEqualTo("ada");
        assertThat(claims.getStringClaim("email")).isEqualTo("ada@example.com");
        assertThat(claims.getBooleanClaim("email_verified")).isTrue();
        assertThat(claims.getBooleanClaim(DevTokens.ADMIN_CLAIM)).isFalse();
        assertThat(claims.getAudience()).containsExactly(DevTokens.AUDIENCE);

        assertThat(token(code, VERIFIER).statusCode()).as("a code is good once").isEqualTo(400);
    }

    @Test
    void refusesACodeWithAnotherVerifier() throws Exception {
        HttpResponse<String> answer = token(code(), VERIFIER + "x");

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("invalid_grant").doesNotContain("access_token");
    }

    private String code() throws Exception {
        HttpResponse<String> answer = authorize(Map.of());
        assertThat(answer.statusCode()).isEqualTo(303);
        URI location = URI.create(answer.headers().firstValue("Location").orElseThrow());
        assertThat(location.toString()).startsWith(PORTAL + "?code=").endsWith("&state=the-state");
        return location.getRawQuery().replaceAll("^code=([^&]+)&.*$", "$1");
    }

    private HttpResponse<String> authorize(Map<String, String> overrides) throws Exception {
        Map<String, String> form = new LinkedHashMap<>(Map.of("response_type", "code",
                "client_id", DevIdentityProvider.CLIENT_ID, "redirect_uri", PORTAL.toString(), "state", "the-state",
                "code_challenge", DevIdentityProvider.challenge(VERIFIER), "code_challenge_method", "S256",
                "subject", "ada", "email", "ada@example.com"));
        form.putAll(overrides);
        return post(provider.authorizationEndpoint(), form);
    }

    private HttpResponse<String> token(String code, String verifier) throws Exception {
        return post(provider.tokenEndpoint(), Map.of("grant_type", "authorization_code", "code", code,
                "redirect_uri", PORTAL.toString(), "client_id", DevIdentityProvider.CLIENT_ID, "code_verifier", verifier));
    }

    private HttpResponse<String> post(String url, Map<String, String> form) throws Exception {
        String body = form.entrySet().stream().map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
            .collect(Collectors.joining("&"));
        return http.send(HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
